# TDMI, HRNet-W48, 384x288, PoseTrack18 (Table 2).
_base_ = ['../_base_/tdmi_hrnet-w48_384x288.py']

dataset_type = 'PoseTrack18ClipDataset'
data_root = 'data/posetrack18/'
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/posetrack18_train.json',
        data_prefix=dict(img=''),
        delta={{_base_.delta}},
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/posetrack18_val.json',
        # precomputed person boxes, score >= 0.2 (prior work)
        bbox_file=data_root +
        'annotations/posetrack18_val_human_detections.json',
        det_score_thr=0.2,
        data_prefix=dict(img=''),
        delta={{_base_.delta}},
        test_mode=True,
        pipeline={{_base_.val_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='PoseTrackMAPMetric',
    ann_file=data_root + 'annotations/posetrack18_val.json',
    outfile_prefix='work_dirs/posetrack18_val_predictions')
test_evaluator = val_evaluator
