# The CPU recipe (the fast setting): TDMI with HRNet-W32 at 256x192 and a
# light temporal part (one residual block per TDE stage, one fusion block),
# adapted to your unlabelled videos from mmpose's single-frame PoseTrack18
# HRNet-W32 256x192 model (teacher and warm start). Run with
#   tools/adapt.py VIDEOS td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192 \
#       --work-dir DIR
_base_ = ['../../_base_/tdmi_hrnet-w48_384x288.py',
          '../../_base_/adapt_unlabelled.py']

teacher_checkpoint = 'td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192'
# mmpose's PoseTrack18 HRNet-W32 256x192: 48x64 heatmaps, sigma 2
codec = dict(type='MSRAHeatmap', input_size=(192, 256), heatmap_size=(48, 64),
             sigma=2)
model = dict(
    type='VideoTopdownAdapter',
    teacher=dict(type='frozen', frames='key'),
    conf_thr=0.3,
    teacher_flip=True,
    backbone=dict(
        init_cfg=None,  # the warm start replaces every backbone weight
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                        num_blocks=(4, ), num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                        num_blocks=(4, 4), num_channels=(32, 64)),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC',
                        num_blocks=(4, 4, 4), num_channels=(32, 64, 128)),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC',
                        num_blocks=(4, 4, 4, 4),
                        num_channels=(32, 64, 128, 256)))),
    neck=dict(in_channels=32, channels=32, num_blocks=(1, 1, 1, 1)),
    head=dict(in_channels=32, motion_channels=32, num_fusion_blocks=1,
              rdm=dict(mode='attention', hidden_channels=64),
              decoder=codec),
    test_cfg=dict(flip_test=False, shift_heatmap=True),
    init_cfg=dict(type='WarmStart', checkpoint=teacher_checkpoint))

train_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=30,
         rotate_prob=0.5, scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    {{_base_.degradation}},
    dict(type='PackPoseInputs', meta_keys={{_base_.adapt_meta_keys}})]
val_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys={{_base_.adapt_meta_keys}})
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    # every 4th frame a key frame, frames stored at most 960 pixels wide
    dataset=dict(key_frame_stride=4,
                 max_side=960, pipeline=train_pipeline))
max_epochs = 2
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[max_epochs - 1], gamma=0.1)
]

# no labels: no validation during adaptation (evaluate the result with a
# labelled config and tools/test.py, or look at it with video_demo.py)
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', interval=1, save_best=None,
                    max_keep_ckpts=2))
