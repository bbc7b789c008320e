# TDMI, HRNet-W48, 384x288, PoseTrack17 (Table 1): the PoseTrack18 config
# with PoseTrack17's data.
_base_ = ['./tdmi_hrnet-w48_posetrack18-384x288.py']

dataset_type = 'PoseTrack17ClipDataset'
data_root = 'data/posetrack17/'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/posetrack17_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/posetrack17_val.json',
        bbox_file=data_root +
        'annotations/posetrack17_val_human_detections.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/posetrack17_val.json',
    outfile_prefix='work_dirs/posetrack17_val_predictions')
test_evaluator = val_evaluator
