# Built-in-video ablation, Table 7 (c): factorisation by splitting channels,
# with L_MI. The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(rdm=dict(mode='split')))
