# Built-in-video ablation, Table 6 (a): only the final stage's differences S^4.
# The main job's TDMI with only this changed (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(neck=dict(stages=(4, )))
