# Built-in-video ablation, Table 6 (c): progressive accumulation without
# spatial modulation. The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(neck=dict(fusion='progressive', modulation=False))
