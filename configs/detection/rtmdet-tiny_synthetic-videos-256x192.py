# mmdet's RTMDet-tiny as the person detector of the built-in videos: one
# class, the 384x288 frames read at 256x192, trained from scratch on the
# labelled training frames in about 5 CPU minutes (the main job's last
# stage). A regular mmdet config: mmdet's tools/train.py trains it.
_base_ = 'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'

data_root = 'data/synthetic_videos/'
metainfo = dict(classes=('person', ))
max_epochs = 12
model = dict(
    backbone=dict(init_cfg=None),  # from scratch: nothing is downloaded
    bbox_head=dict(num_classes=1),
    test_cfg=dict(score_thr=0.05, max_per_img=20))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=(256, 192), ratio_range=(0.8, 1.2),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size_divisor=32, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 192), keep_ratio=True),
    dict(type='Pad', size_divisor=32, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
train_dataloader = dict(
    batch_size=8, num_workers=1, persistent_workers=True,
    batch_sampler=None,
    dataset=dict(type='CocoDataset', data_root=data_root,
                 metainfo=metainfo, data_prefix=dict(img=''),
                 ann_file='annotations/synthetic_train.json',
                 filter_cfg=dict(filter_empty_gt=True, min_size=4),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=1, persistent_workers=True,
    dataset=dict(type='CocoDataset', data_root=data_root,
                 metainfo=metainfo, data_prefix=dict(img=''),
                 ann_file='annotations/synthetic_val.json',
                 filter_cfg=dict(filter_empty_gt=True),
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric',
                     ann_file=data_root + 'annotations/synthetic_val.json',
                     metric='bbox', format_only=False)
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs,
                 dynamic_intervals=None)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=4e-3,
                                    weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', eta_min=1e-4, begin=0, end=max_epochs,
         by_epoch=True, convert_to_iter_based=True)
]
custom_hooks = []  # no EMA, no pipeline switch
default_hooks = dict(logger=dict(interval=20),
                     checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
load_from = None
