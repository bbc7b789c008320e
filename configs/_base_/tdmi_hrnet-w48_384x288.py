# TDMI with HRNet-W48 at 384x288 (w x h = 288 x 384): model, schedule and
# pipelines shared by the PoseTrack17/18/21 configs (Sec. 4.1).
_base_ = ['mmpose::_base_/default_runtime.py']
custom_imports = dict(imports=['tdmi_mmpose'], allow_failed_imports=False)
# mmpose's key for top-down models (its inferencers read it)
data_mode = 'topdown'
dataset_type = 'PoseTrack18ClipDataset'  # set by each dataset's config

delta = 2  # Sec. 4.1: two previous and two next frames
num_frames = 2 * delta + 1

# Sec. 4.1: Adam, lr 1e-3, x0.1 at epochs 6, 12 and 18, 20 epochs.
train_cfg = dict(max_epochs=20, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=20, by_epoch=True,
         milestones=[6, 12, 18], gamma=0.1)
]
# The paper trains on 2 GPUs; batch size per GPU is our choice.
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    checkpoint=dict(save_best='posetrack/Mean', rule='greater'),
    # tools/test.py --show-dir draws key frames; show_neighbours=True adds
    # the clip's frames as a strip
    visualization=dict(type='VideoPoseVisualizationHook', enable=False,
                       show_neighbours=False))
# Loss curves: scalars.json in <work_dir>/<timestamp>/vis_data (plot with
# tools/analysis/plot_curves.py). TensorBoard as well: add
# dict(type='TensorboardVisBackend') to this list (the built-in dataset's
# configs do), then `tensorboard --logdir work_dirs`.
visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])

# As in earlier public TDMI-style code: 288x384 input, 72x96 heatmaps,
# Gaussian sigma 3.
codec = dict(type='MSRAHeatmap', input_size=(288, 384),
             heatmap_size=(72, 96), sigma=3)

model = dict(
    type='VideoTopdownPoseEstimator',
    data_preprocessor=dict(
        type='VideoPoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='TDMIHRNet',
        in_channels=3,
        # Activation checkpointing (mmpose HRNet's with_cp): each residual
        # block recomputes its activations in the backward pass instead of
        # keeping them. Off by default (as in the paper); turn it on where
        # memory is short: --cfg-options model.backbone.with_cp=True. Same
        # loss and gradients; measured on one H200, batch 16 fp32: 37.8 ->
        # 16.2 GiB, 0.45 -> 0.54 s a step (docs/en/user_guides/training_on_gpus.md).
        with_cp=False,
        # COCO-pretrained HRNet-W48 (mmpose model zoo), its backbone weights
        # only; TDE, RDM and the head start random
        init_cfg=dict(
            type='Pretrained', prefix='backbone.',
            checkpoint='https://download.openmmlab.com/mmpose/top_down/'
            'hrnet/hrnet_w48_coco_384x288-314c8528_20200708.pth'),
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                        num_blocks=(4, ), num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                        num_blocks=(4, 4), num_channels=(48, 96)),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC',
                        num_blocks=(4, 4, 4), num_channels=(48, 96, 192)),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC',
                        num_blocks=(4, 4, 4, 4),
                        num_channels=(48, 96, 192, 384)))),
    neck=dict(type='TDE', in_channels=48, channels=48,
              num_frames=num_frames, num_blocks=(3, 3, 2, 2),
              fusion='progressive', modulation=True),
    head=dict(
        type='TDMIHead',
        in_channels=48,
        out_channels=17,
        motion_channels=48,
        num_frames=num_frames,
        visual='key',  # Sec. 4.1: F^4 of the key frame
        rdm=dict(mode='attention', hidden_channels=128),
        # alpha = 1 (Sec. 4.1); VSD estimates, see MutualInformationLoss
        mi_loss=dict(type='MutualInformationLoss', loss_weight=1.0),
        loss=dict(type='HeatmapL2Loss', use_target_weight=True),  # Eq. 14
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True),
    # Warm start (the recommended start for fine-tuning): TDMI begins
    # exactly as one of mmpose's single-frame HRNet-W48 384x288 models
    # (backbone and detection head copied, the neighbour frames entering
    # at zero; VideoTopdownPoseEstimator.warm_start). Uncomment one line
    # (mmengine fetches the file on first use), or give your own
    # single-frame checkpoint with this backbone:
    #   PoseTrack18 (84.6 mAP on PoseTrack18 val, ground-truth boxes):
    # init_cfg=dict(type='WarmStart', checkpoint='https://download.openmmlab.com/mmpose/top_down/hrnet/hrnet_w48_posetrack18_384x288-5fd6d3ff_20211130.pth'),  # noqa: E501
    #   COCO:
    # init_cfg=dict(type='WarmStart', checkpoint='https://download.openmmlab.com/mmpose/top_down/hrnet/hrnet_w48_coco_384x288-314c8528_20200708.pth'),  # noqa: E501
    # or on the command line: --cfg-options model.init_cfg.type=WarmStart
    # model.init_cfg.checkpoint=CKPT
)


meta_keys = ('id', 'img_id', 'img_path', 'frame_paths', 'category_id',
             'crowd_index', 'ori_shape', 'img_shape', 'input_size',
             'input_center', 'input_scale', 'flip', 'flip_direction',
             'flip_indices', 'raw_ann_info', 'dataset_name')
# Sec. 4.1 augmentations, drawn once per clip and applied to every frame.
train_pipeline = [
    dict(type='LoadVideoFrames'),
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
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
