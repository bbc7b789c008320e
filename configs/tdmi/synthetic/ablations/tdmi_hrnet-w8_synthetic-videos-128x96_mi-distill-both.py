# Built-in-video ablation, MI option: the uy/fy terms pull both sides (no stop-
# gradient). The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(distill='both')))
