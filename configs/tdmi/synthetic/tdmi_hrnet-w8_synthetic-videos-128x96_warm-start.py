# TDMI warm-started from the main job's single-frame model (backbone and
# detection head copied, the neighbour frames entering at zero:
# VideoTopdownPoseEstimator.warm_start), then trained as TDMI for 2
# epochs: Adam 1e-3, x0.1 for the last epoch. `python tools/demo.py
# --models single-frame tdmi-warm` trains the single-frame model first;
# elsewhere set model.init_cfg.checkpoint to a single-frame checkpoint.
_base_ = ['./tdmi_hrnet-w8_synthetic-videos-128x96.py']

max_epochs = 2
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[max(max_epochs - 1, 1)], gamma=0.1)
]
model = dict(init_cfg=dict(
    type='WarmStart',
    checkpoint='work_dirs/main_job/single-frame/epoch_5.pth'))
