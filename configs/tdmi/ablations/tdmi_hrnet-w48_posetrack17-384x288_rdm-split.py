# Ablation, Table 7 (c): factorisation by splitting channels (PoseTrack17 val,
# as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(head=dict(rdm=dict(mode='split')))
