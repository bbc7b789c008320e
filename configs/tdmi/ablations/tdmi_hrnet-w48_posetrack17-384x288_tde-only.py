# Ablation, Table 5 (a): TDE only, no RDM and no MI objective (PoseTrack17 val,
# as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
model = dict(head=dict(rdm=dict(mode='identity'), mi_loss=None))
