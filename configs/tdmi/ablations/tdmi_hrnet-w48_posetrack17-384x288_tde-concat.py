# Ablation, Table 6 (b): multi-stage fusion by concatenation and convolution
# (PoseTrack17 val, as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(neck=dict(fusion='concat', modulation=False))
