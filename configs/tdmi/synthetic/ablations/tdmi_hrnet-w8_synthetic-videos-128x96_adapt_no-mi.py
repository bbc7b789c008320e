# Adaptation on unlabelled videos without L_MI (the student's loss is L_H
# against the teacher's heatmaps alone).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96_adapt.py']

model = dict(head=dict(mi_loss=None))
