# Built-in-video ablation, MI option: temperature 2 of the label distributions
# (default 1). The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(tau=2.0)))
