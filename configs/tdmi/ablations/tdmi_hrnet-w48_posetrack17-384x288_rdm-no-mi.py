# Ablation, Table 7 (a): RDM trained without the MI objective (PoseTrack17 val,
# as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(head=dict(mi_loss=None))
