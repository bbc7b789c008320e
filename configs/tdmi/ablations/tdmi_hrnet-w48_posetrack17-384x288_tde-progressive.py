# Ablation, Table 6 (c): progressive accumulation without spatial modulation
# (PoseTrack17 val, as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(neck=dict(fusion='progressive', modulation=False))
