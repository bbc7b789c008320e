# Adaptation on unlabelled videos with an EMA teacher: a moving average of
# the student (mmengine's ExponentialMovingAverage, student weight 0.01 per
# step) that sees the clean key frame among its clean neighbours.
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96_adapt.py']

model = dict(teacher=dict(_delete_=True, type='ema', frames='clip',
                          momentum=0.01))
