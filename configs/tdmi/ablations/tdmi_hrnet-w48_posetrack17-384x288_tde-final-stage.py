# Ablation, Table 6 (a): only the final stage's differences S^4 (PoseTrack17
# val, as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(neck=dict(stages=(4, )))
