# A tiny TDMI (HRNet with 8-channel high-resolution branch, 128x96 input) on
# the PoseTrack18 sample frames shipped in tests/data: runs on a CPU in
# seconds. For tests and the demo; not for accuracy.
_base_ = ['../../_base_/tdmi_hrnet-w48_384x288.py']

codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32),
             sigma=2)
model = dict(
    backbone=dict(
        init_cfg=None,  # random initialisation: nothing is downloaded
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                        num_blocks=(1, ), num_channels=(16, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                        num_blocks=(1, 1), num_channels=(8, 16)),
            stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                        num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
            stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                        num_blocks=(1, 1, 1, 1),
                        num_channels=(8, 16, 32, 64)))),
    neck=dict(in_channels=8, channels=8),
    head=dict(in_channels=8, motion_channels=8,
              rdm=dict(mode='attention', hidden_channels=16),
              decoder=codec))

train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(save_best=None, interval=1))

data_root = 'tests/data/posetrack18_sample/'
meta_keys = {{_base_.meta_keys}}
train_pipeline = [
    # the sample holds only the labelled frames: neighbours fall back to
    # the nearest existing frame
    dict(type='LoadVideoFrames', missing_frame='nearest'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomHalfBody', prob=0.3, min_total_keypoints=9),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=45,
         rotate_prob=0.6, scale_factor=(0.65, 1.35)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
val_pipeline = [
    dict(type='LoadVideoFrames', missing_frame='nearest'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
dataset = dict(
    type='PoseTrack18ClipDataset',
    data_root=data_root,
    ann_file='annotations/test_posetrack18_val.json',
    data_prefix=dict(img=''),
    delta=2)
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(dataset, test_mode=True, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='PoseTrackMAPMetric',
    ann_file=data_root + 'annotations/test_posetrack18_val.json',
    outfile_prefix=None)
test_evaluator = val_evaluator
