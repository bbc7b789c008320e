# TDMI (HRNet-W8 widths, 128x96) on the built-in video dataset: the main
# job's video model, trained with L_H + alpha * L_MI (alpha = 1, Sec. 4.1).
_base_ = ['../../_base_/synthetic_videos_128x96.py']

num_frames = {{_base_.num_frames}}
model = dict(
    type='VideoTopdownPoseEstimator',
    data_preprocessor={{_base_.video_preprocessor}},
    backbone=dict(type='TDMIHRNet', in_channels=3,
                  extra={{_base_.hrnet_extra}}),
    neck=dict(type='TDE', in_channels=8, channels=8, num_frames=num_frames,
              num_blocks=(3, 3, 2, 2), fusion='progressive',
              modulation=True),
    head=dict(
        type='TDMIHead',
        in_channels=8,
        out_channels=17,
        motion_channels=8,
        num_frames=num_frames,
        visual='key',
        rdm=dict(mode='attention', hidden_channels=16),
        mi_loss=dict(type='MutualInformationLoss', loss_weight=1.0),
        loss=dict(type='HeatmapL2Loss', use_target_weight=True),  # Eq. 14
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=False))
