# The built-in video dataset (tdmi_mmpose/datasets/synthetic_videos.py) at
# 128x96 input: data, schedule and evaluation shared by the main job's
# three models (single-frame HRNet, TDMI, TDMI without L_MI), so that they
# differ only in the model. Generate the data first:
#   python tools/dataset_converters/make_synthetic_videos.py
_base_ = ['mmpose::_base_/default_runtime.py']
custom_imports = dict(imports=['tdmi_mmpose'], allow_failed_imports=False)
# mmpose's key for top-down models (its inferencers read it)
data_mode = 'topdown'

data_root = 'data/synthetic_videos/'
delta = 2

# Same schedule for all three models: Adam 1e-3 (Sec. 4.1), x0.1 for the
# last epoch, batch 16.
max_epochs = 5
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[max_epochs - 1], gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(save_best='posetrack/Mean', rule='greater',
                    max_keep_ckpts=1),
    visualization=dict(type='VideoPoseVisualizationHook', enable=False,
                       show_neighbours=False))
randomness = dict(seed=0)

codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32),
             sigma=2)
# HRNet with 8/16/32/64 channels (W8), one module per stage
hrnet_extra = dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                num_blocks=(1, ), num_channels=(16, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                num_blocks=(1, 1), num_channels=(8, 16)),
    stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                num_blocks=(1, 1, 1, 1), num_channels=(8, 16, 32, 64)))
num_frames = 2 * delta + 1
normalisation = dict(mean=[123.675, 116.28, 103.53],
                     std=[58.395, 57.12, 57.375], bgr_to_rgb=True)
video_preprocessor = dict(type='VideoPoseDataPreprocessor', **normalisation)
image_preprocessor = dict(type='PoseDataPreprocessor', **normalisation)

meta_keys = ('id', 'img_id', 'img_path', 'frame_paths', 'category_id',
             'crowd_index', 'ori_shape', 'img_shape', 'input_size',
             'input_center', 'input_scale', 'flip', 'flip_direction',
             'flip_indices', 'raw_ann_info', 'dataset_name')
# Sec. 4.1 augmentations (drawn once per clip for the video models)
augmentation = [
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomHalfBody', prob=0.3, min_total_keypoints=9),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=45,
         rotate_prob=0.6, scale_factor=(0.65, 1.35)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
test_transforms = [
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
load = dict(type='LoadVideoFrames')
# key frames only, for the single-frame model
single_frame_train_pipeline = [dict(type='LoadImage')] + augmentation
single_frame_test_pipeline = [dict(type='LoadImage')] + test_transforms
dataset_type = 'PoseTrack18ClipDataset'
dataset_args = dict(delta=delta)

train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/synthetic_train.json',
                 data_prefix=dict(img=''),
                 pipeline=[load] + augmentation, **dataset_args))
val_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/synthetic_val.json',
                 data_prefix=dict(img=''), test_mode=True,
                 pipeline=[load] + test_transforms, **dataset_args))
test_dataloader = val_dataloader
# PoseTrack mAP on all labelled validation frames, on the degraded key
# frames and on the clean ones (one inference pass)
val_evaluator = [
    dict(type='PoseTrackMAPMetric',
         ann_file=data_root + 'annotations/synthetic_val.json'),
    dict(type='PoseTrackMAPMetric', prefix='degraded',
         ann_file=data_root + 'annotations/synthetic_val_degraded.json'),
    dict(type='PoseTrackMAPMetric', prefix='clean',
         ann_file=data_root + 'annotations/synthetic_val_clean.json'),
]
test_evaluator = val_evaluator
# curves in <work_dir>/<timestamp>/vis_data: scalars.json and TensorBoard
# events (`tensorboard --logdir work_dirs`; drop the second entry to stop)
visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                dict(type='TensorboardVisBackend')])
