"""Does video inference lose accuracy when it reuses backbone features?
(``tools/analysis/reuse_accuracy.py``)

Runs ``VideoPoseInferencer`` over every built-in validation video per clip
(the paper's protocol: every frame of a clip cropped with the key frame's
box), with feature reuse (crops within ``reuse_tolerance`` of the key
frame's box shared between clips) and with aligned reuse (each person
cropped once per frame with its own box, neighbours' features warped into
the key crop: ``reuse_align``), with ground-truth boxes and with the main
job's detector (+ ByteTrack), for each model and training seed that the
ablation tool trained: the PoseTrack mAP of each mode, the paired-by-seed
difference of each reuse mode to per clip with its 95% interval, and the
backbone crops each mode runs against per clip.
"""
import os
import os.path as osp
import time

import numpy as np

from .docs import table
from .jobs import ablation_checkpoint, main_job_detector
from .models import (BBOX_THR, SUBSET_NAMES as SUBSETS, config_path, label,
                     tracker)
from .progress import Progress, log
from .records import RunRecord, write_json
from .stats import aggregate, fmt, fmt_diff
from .video_eval import count_backbone_crops, gt_boxes, video_map

MODES = ('per-clip', 'reuse', 'aligned')


def measure(params, record):
    """The runs not yet in ``record``: one per model, seed, box source and
    mode."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    det = main_job_detector(params.job) if 'detected' in params.boxes else {}
    boxes = gt_boxes(params.data_root)
    tol = '' if params.tolerance is None else f'@{params.tolerance:g}'
    jobs = [(name, seed, source, mode, f'{name}/e{params.epochs}/{source}/'
             f'{mode}{tol if mode != "per-clip" else ""}')
            for name in params.models for seed in range(params.seeds)
            for source in params.boxes for mode in ['per-clip', *params.modes]]
    jobs = [job for job in jobs if record.get(job[-1], job[1]) is None]
    progress = Progress('reuse', len(jobs))
    for i, (name, seed, source, mode, key) in enumerate(jobs):
        progress.start(i + 1, f'{label(name)}, seed {seed}, {source} boxes, '
                       f'{mode}')
        inferencer = VideoPoseInferencer(
            config_path(name), ablation_checkpoint(
                params.ablation_dir, name, seed, params.epochs,
                params.seeds), device='cpu',
            tracker=tracker(), reuse_features=mode != 'per-clip',
            reuse_tolerance=params.tolerance, reuse_align=mode == 'aligned',
            **(det if source == 'detected' else
               dict(det_model='whole_image')))
        kwargs = dict(bbox_thr=BBOX_THR) if source == 'detected' else dict(
            boxes=boxes)
        with count_backbone_crops(inferencer.model) as crops:
            mAP, fps = video_map(inferencer, params.data_root, **kwargs)
        record.put(key, seed, dict(
            {s: mAP[s]['Mean'] for s in SUBSETS}, frames_per_second=fps,
            backbone_crops=sum(crops),
            tolerance=inferencer.reuse.tolerance if mode != 'per-clip' else 0))
        progress.finish(f'mAP {mAP["all"]["Mean"]:.1f}, {fps:.1f} frames/s, '
                        f'{sum(crops)} backbone crops')


def run(params):
    """The reuse measurement on the parameters
    ``tools/analysis/reuse_accuracy.py`` built
    (:class:`.params.ExperimentParams`); writes ``WORK_DIR/reuse.md`` and
    ``reuse_stats.json``.

    Returns:
        dict: A ``'table'`` record's results (``header``, ``align``,
        ``rows``, ``note``) and the ``stats`` they were drawn from.
    """
    record = RunRecord(osp.join(params.work_dir, 'reuse.json'),
                       'reuse_accuracy.py')
    measure(params, record)
    header = ['model', 'boxes', 'mode (tolerance)', 'per clip', 'this mode',
              'mode - per clip, all (95% CI)',
              'the same, degraded key frames',
              'backbone crops, mode / per clip']
    rows = []
    stats = {}
    seeds = list(range(params.seeds))
    tol = '' if params.tolerance is None else f'@{params.tolerance:g}'
    for name in params.models:
        for source in params.boxes:
            by_mode = {mode: record.by_seed(
                f'{name}/e{params.epochs}/{source}/{mode}'
                f'{tol if mode != "per-clip" else ""}', seeds)
                for mode in ['per-clip', *params.modes]}
            st = aggregate(by_mode, list(by_mode), 'per-clip', seeds)
            stats[f'{name}/{source}'] = st
            for mode in params.modes:
                share = np.mean([by_mode[mode][s]['backbone_crops'] /
                                 by_mode['per-clip'][s]['backbone_crops']
                                 for s in seeds])
                rows.append([
                    label(name), source,
                    f'{mode} ({by_mode[mode][0]["tolerance"]:g})',
                    fmt(st['per-clip']['all']), fmt(st[mode]['all']),
                    fmt_diff(st[mode]['all']['minus_reference']),
                    fmt_diff(st[mode]['degraded']['minus_reference']),
                    f'{share:.2f}'])
    meta = (f'PoseTrack mAP (all labelled validation frames of the built-in '
            f'videos) of VideoPoseInferencer, K = {params.seeds} training '
            f'seeds, {params.epochs} epochs; {time.strftime("%Y-%m-%d")}, '
            f'{os.cpu_count()} CPU cores.')
    out = dict(header=header, align=['---'] * 3 + ['---:'] * 5, rows=rows,
               note=meta, stats=stats)
    md = table(out)
    log('reuse', '\n' + md)
    with open(osp.join(params.work_dir, 'reuse.md'), 'w') as f:
        f.write(md)
    write_json(osp.join(params.work_dir, 'reuse_stats.json'),
               dict(meta=meta, stats=stats))
    return out
