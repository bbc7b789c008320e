"""The speed/accuracy frontier of the video pipelines: mmpose's single-frame
top-down pipeline and TDMI (per clip, and with aligned feature reuse), each
with and without the flip test (``tools/analysis/frontier.py``).

1. **Accuracy** on the built-in validation videos, for each training seed
   the ablation tool trained (the single-frame model and TDMI at
   ``epochs``): PoseTrack mAP on all / degraded / clean key frames with
   ground-truth boxes (an unlabelled frame holds the boxes of the labelled
   one before it) and with detected boxes (the main job's RTMDet-tiny +
   ByteTrack), the paired-by-seed difference of each pipeline to the
   single-frame pipeline with flip test (95% interval), and the backbone
   crops per person and frame; then the **frames per second** of each
   pipeline in one timing pass (seed 0's models, detected boxes, every
   validation video, the CPU), run after the accuracy runs so that those
   can share the machine while the timing does not.
2. **Speed at full size** (``w48``): frames per second and backbone crops
   of the same six pipelines with HRNet-W48 384x288 (random weights) on the
   built-in validation video with the most people, ground-truth boxes (no
   detector: the same boxes for all, and no CUDA NMS on a GPU), each ratio
   to the single-frame pipeline with flip test.
"""
import os
import os.path as osp
import sys
import time

import numpy as np

from . import figures
from .jobs import ablation_checkpoint, main_job_detector
from .models import (BBOX_THR, SUBSET_NAMES as SUBSETS, checkpoint_path,
                     config_path, run_dir, tracker)
from .progress import Progress, log
from .records import RunRecord, write_json
from .stats import aggregate, fmt, fmt_diff
from .video_eval import (count_backbone_crops, held_gt_boxes, val_videos,
                         video_map)

# name -> (label, model, flip test, feature reuse)
# name -> (label, model, flip test, feature reuse)
PIPELINES = {
    'single-flip': ('mmpose single-frame, flip test', 'single-frame', True,
                    False),
    'single': ('mmpose single-frame', 'single-frame', False, False),
    'clip-flip': ('TDMI per clip, flip test', 'tdmi', True, False),
    'clip': ('TDMI per clip', 'tdmi', False, False),
    'aligned-flip': ('TDMI aligned reuse, flip test', 'tdmi', True, True),
    'aligned': ('TDMI aligned reuse', 'tdmi', False, True),
}
REFERENCE = 'single-flip'
# mmpose's flip test; the shift is needed at small heatmaps (without it the
# flipped heatmap is one pixel off)
FLIP = dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True)


def build(pipeline, config, ckpt, device, det):
    """The inferencer of a pipeline (``det``: detector arguments, or
    None for given boxes)."""
    from mmengine.registry import DefaultScope

    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.people import GivenBoxesInferencer
    _, model, flip, reuse = PIPELINES[pipeline]
    if model == 'single-frame':
        with DefaultScope.overwrite_default_scope('mmpose'):
            if det:
                from mmpose.apis.inferencers import Pose2DInferencer
                inf = Pose2DInferencer(config, ckpt, device=device, **det)
            else:
                inf = GivenBoxesInferencer(config, ckpt, device=device,
                                           det_model='whole_image')
    else:
        inf = VideoPoseInferencer(config, ckpt, device=device,
                                  tracker=tracker(), reuse_features=reuse,
                                  reuse_align=True,
                                  **(det or dict(det_model='whole_image')))
    inf.model.test_cfg = dict(inf.model.test_cfg, **FLIP) if flip else \
        dict(inf.model.test_cfg, flip_test=False)
    return inf


def accuracy(params, record):
    """Accuracy runs (recorded in ``record``), one per pipeline, seed and
    box source; returns the statistics per box source."""
    det = main_job_detector(params.job) if 'detected' in params.boxes else None
    boxes = held_gt_boxes(params.data_root)
    configs = {m: config_path(m) for m in ('single-frame', 'tdmi')}
    jobs = [(p, s, b) for s in range(params.seeds) for b in params.boxes
            for p in params.pipelines
            if record.get(f'{p}/e{params.epochs}/{b}', s) is None]
    progress = Progress('frontier', len(jobs))
    for i, (pipeline, seed, source) in enumerate(jobs):
        model = PIPELINES[pipeline][1]
        ckpt = ablation_checkpoint(params.ablation_dir, model, seed,
                                   params.epochs, params.seeds)
        progress.start(i + 1, f'{PIPELINES[pipeline][0]}, seed {seed}, '
                       f'{source} boxes')
        inf = build(pipeline, configs[model], ckpt, 'cpu',
                    det if source == 'detected' else None)
        kwargs = dict(bbox_thr=BBOX_THR) if source == 'detected' else dict(
            boxes=boxes)
        # people estimated: counted from the predictions (the backbone's
        # key crops cannot tell them with reuse)
        people = []
        orig = inf.postprocess

        def counting(preds, *a, **k):
            people.append(sum(len(p.pred_instances) for p in preds))
            return orig(preds, *a, **k)
        inf.postprocess = counting
        with count_backbone_crops(inf.model) as crops:
            mAP, fps = video_map(inf, params.data_root, **kwargs)
        per_person = sum(crops) / max(sum(people), 1)
        record.put(f'{pipeline}/e{params.epochs}/{source}', seed, dict(
            {s: mAP[s]['Mean'] for s in SUBSETS}, frames_per_second=fps,
            crops_per_person=per_person))
        progress.finish(f'mAP {mAP["all"]["Mean"]:.1f}, {fps:.1f} frames/s, '
                        f'{per_person:.2f} backbone crops per person')
    stats = {}
    seeds = list(range(params.seeds))
    for source in params.boxes:
        by = {p: record.by_seed(f'{p}/e{params.epochs}/{source}', seeds)
              for p in params.pipelines}
        st = aggregate(by, list(by), REFERENCE if REFERENCE in by else
                       params.pipelines[0], seeds)
        for p in by:
            for field in ('frames_per_second', 'crops_per_person'):
                st[p][field] = float(np.mean([r[field]
                                              for r in by[p].values()]))
        stats[source] = st
    return stats


def timing(params, stats):
    """Frames per second of each pipeline, measured in one pass with seed
    0's models and the main job's detector over every validation video,
    into ``stats`` (every box source's rows)."""
    det = main_job_detector(params.job)
    for pipeline in params.pipelines:
        model = PIPELINES[pipeline][1]
        ran = run_dir(params.ablation_dir, model, params.epochs, 0)
        inf = build(pipeline, config_path(model),
                    checkpoint_path(ran, params.epochs), 'cpu', det)
        _, fps = video_map(inf, params.data_root, bbox_thr=BBOX_THR)
        for st in stats.values():
            st[pipeline]['frames_per_second'] = fps
        log('frontier', f'timing, {PIPELINES[pipeline][0]}: {fps:.2f} '
                        'frames/s')


def speed_w48(params):
    """Frames per second and backbone crops of each pipeline at HRNet-W48
    384x288 (random weights), ground-truth boxes, the busiest video."""
    import torch

    from .cost import BASELINE, DEFAULT, resolve
    videos, _ = val_videos(params.data_root)
    boxes = held_gt_boxes(params.data_root)
    video = max(videos, key=lambda v: sum(len(b) for b in boxes[v]))
    paths = [osp.join(params.data_root, im['file_name'])
             for im in videos[video]][:params.w48_frames]
    frame_boxes = boxes[video][:params.w48_frames]
    people = sum(len(b) for b in frame_boxes)
    rows = {}
    for pipeline in params.pipelines:
        torch.manual_seed(0)
        model = PIPELINES[pipeline][1]
        inf = build(pipeline, resolve(BASELINE) if model == 'single-frame'
                    else DEFAULT, None, params.device, None)
        list(inf(paths[:3], bboxes=frame_boxes[:3]))  # warm-up
        if params.device.startswith('cuda'):
            torch.cuda.synchronize()
        with count_backbone_crops(inf.model) as counted:
            t0 = time.perf_counter()
            list(inf(paths, bboxes=frame_boxes))
            if params.device.startswith('cuda'):
                torch.cuda.synchronize()
            fps = len(paths) / (time.perf_counter() - t0)
        crops = sum(counted) / max(people, 1)
        rows[pipeline] = dict(frames_per_second=fps, crops_per_person=crops)
        log('frontier', f'W48 {PIPELINES[pipeline][0]}: {fps:.2f} frames/s,'
                        f' {crops:.2f} backbone crops per person')
    ref = rows.get(REFERENCE)
    for row in rows.values():
        row['cost_vs_single_flip'] = (ref['frames_per_second'] /
                                      row['frames_per_second']) if ref \
            else None
    return dict(rows=rows, frames=len(paths), people_per_frame=people /
                len(paths), device=params.device)


def markdown(stats, w48, meta):
    """The frontier's tables (one per box source, and the W48 rows),
    under ``meta``."""
    lines = [meta, '']
    for source, st in stats.items():
        lines += [f'**{source} boxes**', '',
                  '| pipeline | all | degraded | clean | all − single-frame '
                  'flip (paired) | degraded − single-frame flip | frames/s | '
                  'backbone crops / person |',
                  '|---|---:|---:|---:|---:|---:|---:|---:|']
        for p, e in st.items():
            d = [fmt_diff(e.get(s, {}).get('minus_reference'))
                 for s in ('all', 'degraded')]
            fps, crops = (e.get(k) for k in ('frames_per_second',
                                             'crops_per_person'))
            lines.append(
                f'| {PIPELINES[p][0]} | {fmt(e.get("all"))} | '
                f'{fmt(e.get("degraded"))} | {fmt(e.get("clean"))} | '
                f'{d[0]} | {d[1]} | '
                f'{"—" if fps is None else f"{fps:.1f}"} | '
                f'{"—" if crops is None else f"{crops:.2f}"} |')
        lines.append('')
    if w48:
        lines += [f'**HRNet-W48 384x288**, {w48["device"]}, random weights, '
                  f'{w48["frames"]} frames, {w48["people_per_frame"]:.1f} '
                  'people per frame, ground-truth boxes:', '',
                  '| pipeline | frames/s | cost per frame / single-frame '
                  'flip | backbone crops / person |', '|---|---:|---:|---:|']
        for p, r in w48['rows'].items():
            cost = r['cost_vs_single_flip']
            lines.append(f'| {PIPELINES[p][0]} | {r["frames_per_second"]:.2f}'
                         f' | {"—" if cost is None else f"{cost:.2f}"} | '
                         f'{r["crops_per_person"]:.2f} |')
    lines += ['', '\\* the 95% interval of the paired difference excludes '
              '0.']
    return '\n'.join(lines)


def run(params):
    """The frontier on the parameters ``tools/analysis/frontier.py`` built
    (:class:`.params.ExperimentParams`).

    Returns:
        dict: what it writes to ``WORK_DIR/frontier.json``.
    """
    os.makedirs(params.work_dir, exist_ok=True)
    record = RunRecord(osp.join(params.work_dir, 'frontier_runs.json'),
                       'frontier.py')
    stats = accuracy(params, record) if params.accuracy else {}
    if stats and params.speed:
        timing(params, stats)
    w48 = speed_w48(params) if params.w48 else None
    meta = (f'Video pipelines on the built-in validation videos (PoseTrack '
            f'mAP, 144 labelled frames, 70 degraded), K = {params.seeds} '
            f'training seeds, {params.epochs} epochs, the CPU (one process); '
            'paired differences to mmpose\'s single-frame pipeline with flip '
            f'test; {time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    md = markdown(stats, w48, meta)
    log('frontier', '\n' + md)
    out = dict(meta=meta, stats=stats, w48=w48,
               caption=f'frontier.py {" ".join(sys.argv[1:])}; '
               f'{time.strftime("%Y-%m-%d")}')
    write_json(osp.join(params.work_dir, 'frontier.json'), out)
    with open(osp.join(params.work_dir, 'frontier.md'), 'w') as f:
        f.write(md + '\n')
    if stats:
        png = draw(out, osp.join(params.work_dir, 'frontier.png'))
        log('frontier', f'figure: {png}')
    return out


def draw(out, path, caption=None):
    """The frontier figure (mAP against frames per second, detected boxes
    where measured) of a ``frontier.json`` into ``path``."""
    stats = out['stats']
    source = 'detected' if 'detected' in stats else next(iter(stats))
    points = [(PIPELINES[p][0], e['frames_per_second'], e['all'])
              for p, e in stats[source].items()]
    return figures.frontier_figure(
        points, path, f'{caption or out["caption"]} ({source} boxes)')
