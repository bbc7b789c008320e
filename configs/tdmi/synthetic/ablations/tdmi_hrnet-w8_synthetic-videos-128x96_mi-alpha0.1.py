# Built-in-video ablation, MI option: alpha = 0.1 (Eq. 15; the paper's is 1).
# The main job's TDMI with only this changed (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(loss_weight=0.1)))
