# The GPU recipe: TDMI HRNet-W48 384x288 adapted to your unlabelled videos
# from mmpose's single-frame PoseTrack18 model, which warm-starts it and
# teaches it (VideoTopdownAdapter). Run with tools/adapt.py VIDEOS
# td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 --config THIS --work-dir DIR
_base_ = ['../../_base_/tdmi_hrnet-w48_384x288.py',
          '../../_base_/adapt_unlabelled.py']

teacher_checkpoint = 'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288'
model = dict(
    type='VideoTopdownAdapter',
    teacher=dict(type='frozen', frames='key'),
    conf_thr=0.3,
    teacher_flip=True,
    # the warm start replaces every backbone weight: no COCO download
    backbone=dict(init_cfg=None),
    init_cfg=dict(type='WarmStart', checkpoint=teacher_checkpoint))

train_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=30,
         rotate_prob=0.5, scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size={{_base_.codec.input_size}}),
    {{_base_.degradation}},
    dict(type='PackPoseInputs', meta_keys={{_base_.adapt_meta_keys}})]
train_dataloader = dict(
    batch_size=16,  # one GPU; see docs/en/user_guides/adapt_to_your_videos.md
    num_workers=8,
    persistent_workers=True,
    dataset=dict(key_frame_stride=2,
                 max_side=1280, detector=dict(det_model=None, device='cuda'),
                 pipeline=train_pipeline))
# fine-tuning a trained model: Adam at a tenth of the paper's rate
# (Sec. 4.1: 1e-3 from ImageNet), x0.1 for the last epoch
max_epochs = 3
train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[max_epochs - 1], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=16)

# no labels: no validation during adaptation (evaluate the result with a
# labelled config and tools/test.py, or look at it with video_demo.py)
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', interval=1, save_best=None,
                    max_keep_ckpts=2))
