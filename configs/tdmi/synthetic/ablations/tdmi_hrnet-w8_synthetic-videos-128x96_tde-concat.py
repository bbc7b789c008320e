# Built-in-video ablation, Table 6 (b): multi-stage fusion by concatenation and
# convolution. The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(neck=dict(fusion='concat', modulation=False))
