# Built-in-video ablation, Table 5 (a): TDE only, no RDM and no MI objective.
# The main job's TDMI with only this changed (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(rdm=dict(mode='identity'), mi_loss=None))
