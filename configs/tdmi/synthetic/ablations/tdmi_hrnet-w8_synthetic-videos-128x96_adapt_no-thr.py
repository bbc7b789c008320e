# Adaptation on unlabelled videos without the confidence threshold: every
# keypoint of the teacher is a target, however unsure.
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96_adapt.py']

model = dict(conf_thr=0.0)
