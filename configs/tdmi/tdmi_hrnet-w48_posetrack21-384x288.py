# TDMI, HRNet-W48, 384x288, PoseTrack21 (Table 3): the PoseTrack18 config
# with PoseTrack21's data.
_base_ = ['./tdmi_hrnet-w48_posetrack18-384x288.py']

dataset_type = 'PoseTrack21ClipDataset'
data_root = 'data/posetrack21/'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/posetrack21_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/posetrack21_val.json',
        bbox_file=data_root +
        'annotations/posetrack21_val_human_detections.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/posetrack21_val.json',
    outfile_prefix='work_dirs/posetrack21_val_predictions')
test_evaluator = val_evaluator
