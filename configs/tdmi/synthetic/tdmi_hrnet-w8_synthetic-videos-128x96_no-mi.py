# TDMI without the MI objective (Table 7 (a): RDM trained by L_H alone) on
# the built-in video dataset: the main job's ablation.
_base_ = ['./tdmi_hrnet-w8_synthetic-videos-128x96.py']

model = dict(head=dict(mi_loss=None))
