# Built-in-video ablation, Table 7, one MI term removed: without -I(M; M_u)
# (Eq. 9). The main job's TDMI with only this changed
# (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(term_weights=dict(mu=0.0))))
