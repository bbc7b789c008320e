# Adapting TDMI to unlabelled videos (tools/adapt.py): the pieces the
# recipes of configs/tdmi/adapt share (a second base after the model's).
# tools/adapt.py fills in `videos`, the teacher (model.init_cfg.checkpoint),
# the work dir and the cache.
# a folder of videos and frame folders, or a text file listing them
videos = 'data/my_videos'
# single-frame teacher: file, http(s) address or mmpose model name
teacher_checkpoint = None

adapt_meta_keys = ('id', 'img_id', 'img_path', 'frame_paths',
                   'category_id', 'ori_shape', 'img_shape', 'input_size',
                   'input_center', 'input_scale', 'flip', 'flip_direction',
                   'flip_indices', 'track_id', 'video', 'frame_index',
                   'degradations')
# The key frame's degradation (after the recipes' mild geometric
# augmentation, drawn once per clip); the teacher sees the same crop
# undegraded.
degradation = dict(type='DegradeKeyFrame', prob=0.8,
                   kinds=dict(motion_blur=1, defocus=1, occlusion=1,
                              low_light=1),
                   max_kinds=2)
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='UnlabelledVideoDataset',
        data_root='',
        videos=videos,
        cache_dir='work_dirs/adapt/cache',
        delta=2,
        key_frame_stride=1,
        # people: mmpose's default person detector (det_model=None), as the
        # inferencers find them; or boxes files (demo/video_demo.py
        # --save-bboxes) in boxes_dir, named <video name>.json
        detector=dict(det_model=None, bbox_thr=0.3, nms_thr=0.3),
        boxes_dir=None,
        max_side=None))
