# Built-in-video ablation, Table 7, one MI term removed: without I(F; y | F~)
# (Eq. 12). The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(term_weights=dict(fy=0.0))))
