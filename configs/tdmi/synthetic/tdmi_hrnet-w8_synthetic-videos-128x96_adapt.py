# TDMI adapted on unlabelled built-in videos (tools/adapt.py's recipe at the
# main job's size): warm-started from the single-frame model, which then
# teaches it. The teacher sees the clean key frame (flip test on); the
# student sees that frame degraded by DegradeKeyFrame and its neighbours
# clean, and learns to recover the teacher's pose from them
# (VideoTopdownAdapter). No keypoint label is read; the labelled
# validation videos only measure the result. The experiments point
# `videos`/`boxes_dir` at the training videos (labels unused) or at another
# data seed's videos (tdmi_mmpose/experiments/models.py).
_base_ = ['./tdmi_hrnet-w8_synthetic-videos-128x96_warm-start.py']

model = dict(
    type='VideoTopdownAdapter',
    # 'frozen': the single-frame model itself; 'ema': a moving average of
    # the student (measured against each other: docs/en/user_guides/
    # adapt_to_your_videos.md)
    teacher=dict(type='frozen', frames='key'),
    # keypoints whose teacher heatmap peak is below this get no weight
    conf_thr=0.3,
    teacher_flip=True,
    # the flip test at 32x24 heatmaps needs the one-pixel shift
    test_cfg=dict(flip_test=False, shift_heatmap=True))

meta_keys = ('id', 'img_id', 'img_path', 'frame_paths', 'category_id',
             'ori_shape', 'img_shape', 'input_size', 'input_center',
             'input_scale', 'flip', 'flip_direction', 'flip_indices',
             'track_id', 'video', 'frame_index', 'degradations')
adapt_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=30,
         rotate_prob=0.5, scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size={{_base_.codec.input_size}}),
    # kinds and probabilities of the key frame's degradation
    dict(type='DegradeKeyFrame', prob=0.8,
         kinds=dict(motion_blur=1, defocus=1, occlusion=1, low_light=1),
         max_kinds=2),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
train_dataloader = dict(dataset=dict(
    _delete_=True,
    type='UnlabelledVideoDataset',
    data_root={{_base_.data_root}},
    videos='images/train',
    # people: boxes files (demo/video_demo.py --save-bboxes format) or,
    # with boxes_dir=None, mmpose's default person detector
    boxes_dir='unlabelled_boxes/train',
    cache_dir='unlabelled_cache/train',
    delta={{_base_.delta}},
    pipeline=adapt_pipeline))
