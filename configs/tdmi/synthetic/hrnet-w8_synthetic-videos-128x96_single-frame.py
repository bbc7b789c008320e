# mmpose's single-frame top-down HRNet with TDMI's backbone widths, input
# size, data and schedule: the main job's baseline. Key frames only, through
# mmpose's own PoseTrack18Dataset and LoadImage.
_base_ = ['../../_base_/synthetic_videos_128x96.py']
# read by mmpose's inferencers (MMPoseInferencer / Pose2DInferencer)
data_mode = 'topdown'
dataset_type = 'PoseTrack18Dataset'

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor={{_base_.image_preprocessor}},
    backbone=dict(type='HRNet', in_channels=3, extra={{_base_.hrnet_extra}}),
    head=dict(type='HeatmapHead', in_channels=8, out_channels=17,
              deconv_out_channels=None,
              # the same L_H as the video models (Eq. 14)
              loss=dict(type='HeatmapL2Loss', use_target_weight=True),
              decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=False))

train_dataloader = dict(dataset=dict(
    _delete_=True, type='PoseTrack18Dataset', data_root={{_base_.data_root}},
    data_prefix=dict(img=''), ann_file='annotations/synthetic_train.json',
    pipeline={{_base_.single_frame_train_pipeline}}))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='PoseTrack18Dataset', data_root={{_base_.data_root}},
    data_prefix=dict(img=''), ann_file='annotations/synthetic_val.json',
    test_mode=True, pipeline={{_base_.single_frame_test_pipeline}}))
test_dataloader = val_dataloader
