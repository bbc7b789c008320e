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

from .jobs import ablation_checkpoint, main_job_detector
from .models import (BBOX_THR, SUBSET_NAMES as SUBSETS, config_path, label,
                     tracker)
from .records import Progress, RunRecord, write_json
from .stats import aggregate, fmt, fmt_diff
from .video_eval import count_backbone_crops, gt_boxes, video_map

MODES = ('per-clip', 'reuse', 'aligned')


def measure(args, record):
    """The runs not yet in ``record``: one per model, seed, box source and
    mode."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    det = main_job_detector(args.job) if 'detected' in args.boxes else {}
    boxes = gt_boxes(args.data_root)
    tol = '' if args.tolerance is None else f'@{args.tolerance:g}'
    jobs = [(name, seed, source, mode, f'{name}/e{args.epochs}/{source}/'
             f'{mode}{tol if mode != "per-clip" else ""}')
            for name in args.models for seed in range(args.seeds)
            for source in args.boxes for mode in ['per-clip', *args.modes]]
    jobs = [job for job in jobs if record.get(job[-1], job[1]) is None]
    progress = Progress('reuse', len(jobs))
    for i, (name, seed, source, mode, key) in enumerate(jobs):
        progress.start(i + 1, f'{label(name)}, seed {seed}, {source} boxes, '
                       f'{mode}')
        inferencer = VideoPoseInferencer(
            config_path(name), ablation_checkpoint(
                args.work_dir, name, seed, args.epochs, args.seeds), device='cpu',
            tracker=tracker(), reuse_features=mode != 'per-clip',
            reuse_tolerance=args.tolerance, reuse_align=mode == 'aligned',
            **(det if source == 'detected' else
               dict(det_model='whole_image')))
        kwargs = dict(bbox_thr=BBOX_THR) if source == 'detected' else dict(
            boxes=boxes)
        with count_backbone_crops(inferencer.model) as crops:
            mAP, fps = video_map(inferencer, args.data_root, **kwargs)
        record.put(key, seed, dict(
            {s: mAP[s]['Mean'] for s in SUBSETS}, frames_per_second=fps,
            backbone_crops=sum(crops),
            tolerance=inferencer.reuse.tolerance if mode != 'per-clip' else 0))
        progress.finish(f'mAP {mAP["all"]["Mean"]:.1f}, {fps:.1f} frames/s, '
                        f'{sum(crops)} backbone crops')


def run(args):
    """The reuse measurement, as ``tools/analysis/reuse_accuracy.py``
    parsed ``args``; writes ``WORK_DIR/reuse.md`` and ``reuse_stats.json``.
    """
    record = RunRecord(osp.join(args.work_dir, 'reuse.json'),
                       'reuse_accuracy.py')
    measure(args, record)
    lines = ['| model | boxes | mode (tolerance) | per clip | this mode | '
             'mode - per clip, all (95% CI) | the same, degraded key frames '
             '| backbone crops, mode / per clip |',
             '|---|---|---|---:|---:|---:|---:|---:|']
    stats = {}
    seeds = list(range(args.seeds))
    tol = '' if args.tolerance is None else f'@{args.tolerance:g}'
    for name in args.models:
        for source in args.boxes:
            by_mode = {mode: record.by_seed(
                f'{name}/e{args.epochs}/{source}/{mode}'
                f'{tol if mode != "per-clip" else ""}', seeds)
                for mode in ['per-clip', *args.modes]}
            st = aggregate(by_mode, list(by_mode), 'per-clip', seeds)
            stats[f'{name}/{source}'] = st
            for mode in args.modes:
                share = np.mean([by_mode[mode][s]['backbone_crops'] /
                                 by_mode['per-clip'][s]['backbone_crops']
                                 for s in seeds])
                lines.append(
                    f'| {label(name)} | {source} | {mode} '
                    f'({by_mode[mode][0]["tolerance"]:g}) | '
                    f'{fmt(st["per-clip"]["all"])} | '
                    f'{fmt(st[mode]["all"])} | '
                    f'{fmt_diff(st[mode]["all"]["minus_reference"])} | '
                    f'{fmt_diff(st[mode]["degraded"]["minus_reference"])} | '
                    f'{share:.2f} |')
    meta = (f'PoseTrack mAP (all labelled validation frames of the built-in '
            f'videos) of VideoPoseInferencer, K = {args.seeds} training '
            f'seeds, {args.epochs} epochs; {time.strftime("%Y-%m-%d")}, '
            f'{os.cpu_count()} CPU cores.')
    md = '\n'.join(lines) + '\n\n' + meta + '\n'
    print('\n' + md, flush=True)
    with open(osp.join(args.work_dir, 'reuse.md'), 'w') as f:
        f.write(md)
    write_json(osp.join(args.work_dir, 'reuse_stats.json'),
               dict(meta=meta, stats=stats))
    return stats
