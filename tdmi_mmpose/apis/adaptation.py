"""Adapting TDMI to unlabelled videos: the run's config from a recipe, and
the adapted student as an ordinary TDMI config and checkpoint."""
import os.path as osp

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner.checkpoint import CheckpointLoader

ADAPTER_KEYS = ('teacher', 'conf_thr', 'teacher_flip', 'init_cfg',
                'partial_load')


def adaptation_config(recipe, videos, teacher, work_dir, boxes_dir=None,
                      det_model=None, det_weights=None, epochs=None,
                      batch_size=None, device=None):
    """A recipe (``configs/tdmi/adapt``) pointed at the user's videos,
    teacher and work dir.

    Args:
        recipe (str | Config): The recipe's config file or config.
        videos (str): Folder of videos and frame folders, or a list file.
        teacher (str): Single-frame checkpoint: file, address or mmpose
            model name; it warm-starts the student and teaches it.
        work_dir (str): Checkpoints, logs and the cache (``cache/``).
        boxes_dir (str, optional): Boxes files per video instead of the
            detector.
        det_model (str, optional): Detector config or name, or
            ``'whole_image'``; None keeps the recipe's.
        det_weights (str, optional): The detector's weights.
        epochs (int, optional): Another budget (the last epoch at a tenth
            of the learning rate).
        batch_size (int, optional): Another batch size.
        device (str, optional): Where the detector runs.

    Returns:
        Config: The run's config.
    """
    cfg = recipe if isinstance(recipe, Config) else Config.fromfile(recipe)
    if cfg.model.get('type') != 'VideoTopdownAdapter':
        raise ValueError(f'{getattr(cfg, "filename", recipe)} is not an '
                         'adaptation recipe (its model is a '
                         f'{cfg.model.get("type")}, not a VideoTopdownAdapter)'
                         ': give one of configs/tdmi/adapt')
    data = cfg.train_dataloader.dataset
    data.data_root = ''
    data.videos = osp.abspath(videos)
    data.cache_dir = osp.join(osp.abspath(work_dir), 'cache')
    if boxes_dir:
        data.boxes_dir = osp.abspath(boxes_dir)
    detector = ConfigDict(data.get('detector') or {})
    if det_model is not None:
        detector.det_model = det_model
        detector.det_weights = det_weights
    if device is not None:
        detector.device = device
    data.detector = detector
    cfg.model.init_cfg = dict(type='WarmStart', checkpoint=teacher)
    cfg.teacher_checkpoint = teacher
    if batch_size:
        cfg.train_dataloader.batch_size = batch_size
    if epochs and epochs != cfg.train_cfg.max_epochs:
        cfg.train_cfg.max_epochs = epochs
        for sched in cfg.param_scheduler:
            sched.end = epochs
            if 'milestones' in sched:
                sched.milestones = [max(epochs - 1, 1)]
    cfg.work_dir = work_dir
    return cfg


def adapted_model_config(cfg):
    """The student of an adaptation config as an inference config: a
    :class:`VideoTopdownPoseEstimator` (no teacher, no warm start) with a
    test pipeline, as ``demo/video_demo.py`` and the inferencers read it.

    Args:
        cfg (Config): The adaptation run's config.

    Returns:
        Config: The inference config.
    """
    model = ConfigDict(cfg.model.to_dict())
    model.type = 'VideoTopdownPoseEstimator'
    for key in ADAPTER_KEYS:
        model.pop(key, None)
    if model.get('backbone', {}).get('init_cfg'):
        model.backbone.init_cfg = None
    input_size = model.head.decoder.input_size
    pipeline = cfg.get('val_pipeline') or [
        dict(type='LoadVideoFrames'),
        dict(type='GetBBoxCenterScale', padding=1.25),
        dict(type='TopdownAffine', input_size=input_size),
        dict(type='PackPoseInputs')
    ]
    return Config(dict(
        default_scope='mmpose',
        custom_imports=dict(imports=['tdmi_mmpose'],
                            allow_failed_imports=False),
        data_mode='topdown',
        dataset_type='PoseTrack18ClipDataset',
        model=model,
        test_dataloader=dict(
            batch_size=1, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='PoseTrack18ClipDataset', data_root='',
                         ann_file='', data_prefix=dict(img=''),
                         test_mode=True, delta=model.head.num_frames // 2,
                         pipeline=pipeline)),
        test_cfg=dict(),
        test_evaluator=dict(type='PoseTrackMAPMetric', ann_file=''),
        visualizer=cfg.get('visualizer') or dict(
            type='PoseLocalVisualizer', name='visualizer',
            vis_backends=[dict(type='LocalVisBackend')]),
        adapted_from=cfg.get('teacher_checkpoint')))


def export_student(cfg, checkpoint, out_dir, name='tdmi_adapted'):
    """Write the adapted student as ``OUT/NAME.py`` and ``OUT/NAME.pth``:
    an ordinary TDMI config and checkpoint (the teacher's weights left
    out), which ``demo/video_demo.py`` and the inferencers run without a
    warm start.

    Args:
        cfg (Config): The adaptation run's config.
        checkpoint (str): A checkpoint of the run.
        out_dir (str): Where to write.
        name (str): File name without extension.

    Returns:
        tuple[str, str]: The config and checkpoint written.
    """
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, 'cpu')
    state = ckpt.get('state_dict', ckpt)
    student = {k: v for k, v in state.items()
               if not k.startswith('teacher.')}
    if len(student) == len(state):
        raise ValueError(f'{checkpoint} holds no teacher.* weights: it is '
                         'not a checkpoint of an adaptation run')
    model_cfg = adapted_model_config(cfg)
    cfg_path = osp.join(out_dir, f'{name}.py')
    ckpt_path = osp.join(out_dir, f'{name}.pth')
    model_cfg.dump(cfg_path)
    meta = {k: v for k, v in (ckpt.get('meta') or {}).items()
            if k in ('dataset_meta', 'epoch', 'iter', 'seed', 'time',
                     'mmengine_version', 'mmpose_version')}
    meta.update(cfg=model_cfg.pretty_text,
                adapted_from=str(cfg.get('teacher_checkpoint')))
    torch.save(dict(meta=meta, state_dict=student), ckpt_path + '.part')
    import os
    os.replace(ckpt_path + '.part', ckpt_path)
    return cfg_path, ckpt_path
