"""Does video inference lose accuracy when it reuses backbone features?

Runs ``VideoPoseInferencer`` over every built-in validation video per clip
(the paper's protocol: every frame of a clip cropped with the key frame's
box), with feature reuse (crops within ``reuse_tolerance`` of the key
frame's box shared between clips) and with aligned reuse (each person
cropped once per frame with its own box, neighbours' features warped into
the key crop: ``reuse_align``), with ground-truth boxes and with the
main job's detector (+ ByteTrack), for each model and training seed that
``tools/analysis/ablation.py`` trained; prints and writes
``WORK_DIR/reuse.{json,md}``: the PoseTrack mAP of each mode, the
paired-by-seed difference of each reuse mode to per clip with its 95%
interval, and the backbone crops each mode runs against per clip.

Train first (reuses finished runs):
    python tools/analysis/ablation.py --set reuse --seeds 3
    python tools/demo.py            # the detector (work_dirs/main_job)
Then:
    python tools/analysis/reuse_accuracy.py --seeds 3
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
sys.path[:0] = [HERE, osp.dirname(HERE)]
from ablation import MODELS, SYN, aggregate, fmt, fmt_diff  # noqa: E402

MODES = ('per-clip', 'reuse', 'aligned')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--models', nargs='+', choices=sorted(MODELS),
                        default=['tdmi', 'tdmi-reuse'])
    parser.add_argument('--seeds', type=int, default=3,
                        help='training seeds 0..K-1 (K >= 2)')
    parser.add_argument('--epochs', type=int, default=5,
                        help='budget of the ablation runs to load')
    parser.add_argument('--tolerance', type=float, default=None,
                        help="reuse_tolerance (default: each model config's)")
    parser.add_argument('--modes', nargs='+', choices=MODES[1:],
                        default=list(MODES[1:]),
                        help='reuse modes compared with per clip')
    parser.add_argument('--boxes', nargs='+', choices=['gt', 'detected'],
                        default=['gt', 'detected'])
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs',
                                                       'ablation'),
                        help="ablation.py's work dir (checkpoints)")
    parser.add_argument('--job', default=osp.join(ROOT, 'work_dirs',
                                                  'main_job'),
                        help="the main job's work dir (the detector)")
    parser.add_argument('--data-root', default=osp.join(
        ROOT, 'data', 'synthetic_videos') + '/')
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error('--seeds must be at least 2 (an interval needs two '
                     'paired runs)')
    return args


def gt_boxes(data_root):
    """``{video: [(N, 5) xyxy+score boxes per frame]}`` of the validation
    annotations (frames without a label get no boxes)."""
    from demo import val_videos
    videos, data = val_videos(data_root)
    per_image = {}
    for ann in data['annotations']:
        x, y, w, h = ann['bbox']
        per_image.setdefault(ann['image_id'], []).append([x, y, x + w,
                                                          y + h, 1.0])
    return {video: [np.array(per_image.get(im['id'], []),
                             np.float32).reshape(-1, 5) for im in images]
            for video, images in videos.items()}


def checkpoint(args, name, seed):
    path = osp.join(args.work_dir, name, f'e{args.epochs}_seed{seed}',
                    f'epoch_{args.epochs}.pth')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} is missing: train it first with `python tools/'
            f'analysis/ablation.py --configs {name} --seeds {args.seeds}'
            f'{"" if args.epochs == 5 else f" --epochs {args.epochs}"}`')
    return path


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401
    from demo import BBOX_THR, TRACKER, main_job_detector, video_map

    from tdmi_mmpose.apis import VideoPoseInferencer
    det = main_job_detector(args.job) if 'detected' in args.boxes else {}
    boxes = gt_boxes(args.data_root)
    record = osp.join(args.work_dir, 'reuse.json')
    runs = {}
    if osp.isfile(record):
        with open(record) as f:
            runs = json.load(f)
    jobs = [(name, seed, source, mode) for name in args.models
            for seed in range(args.seeds) for source in args.boxes
            for mode in ['per-clip', *args.modes]]
    t0, done = time.time(), 0
    for i, (name, seed, source, mode) in enumerate(jobs):
        tol = '' if mode == 'per-clip' or args.tolerance is None else \
            f'@{args.tolerance:g}'
        key = f'{name}/e{args.epochs}/{source}/{mode}{tol}'
        if str(seed) in runs.get(key, {}):
            continue
        eta = '' if not done else \
            f', about {(time.time() - t0) / done * (len(jobs) - i) / 60:.0f}' \
            ' min left'
        print(f'[reuse] {i + 1}/{len(jobs)}: {MODELS[name][0]}, seed {seed},'
              f' {source} boxes, {mode}{eta}', flush=True)
        inferencer = VideoPoseInferencer(
            osp.join(SYN, MODELS[name][1]), checkpoint(args, name, seed),
            device='cpu', tracker=TRACKER, reuse_features=mode != 'per-clip',
            reuse_tolerance=args.tolerance, reuse_align=mode == 'aligned',
            **(det if source == 'detected' else {}))
        crops = []
        inferencer.model.backbone.register_forward_hook(
            lambda m, inputs, out: crops.append(inputs[0].shape[0]))
        kwargs = dict(bbox_thr=BBOX_THR) if source == 'detected' else dict(
            boxes=boxes)
        mAP, fps = video_map(inferencer, args.data_root, **kwargs)
        runs.setdefault(key, {})[str(seed)] = dict(
            {s: mAP[s]['Mean'] for s in ('all', 'degraded', 'clean')},
            frames_per_second=fps, backbone_crops=sum(crops),
            tolerance=inferencer.reuse_tolerance if mode != 'per-clip' else 0)
        with open(record, 'w') as f:
            json.dump(runs, f, indent=1)
        done += 1
        print(f'[reuse]   mAP {mAP["all"]["Mean"]:.1f} ({fps:.1f} '
              f'frames/s, {sum(crops)} backbone crops)', flush=True)
    lines = ['| model | boxes | mode (tolerance) | per clip | this mode | '
             'mode - per clip, all (95% CI) | the same, degraded key frames '
             '| backbone crops, mode / per clip |',
             '|---|---|---|---:|---:|---:|---:|---:|']
    stats = {}
    seeds = list(range(args.seeds))
    tol = '' if args.tolerance is None else f'@{args.tolerance:g}'
    for name in args.models:
        for source in args.boxes:
            by_mode = {mode: {int(s): v for s, v in runs[
                f'{name}/e{args.epochs}/{source}/{mode}'
                f'{tol if mode != "per-clip" else ""}'].items()}
                for mode in ['per-clip', *args.modes]}
            st = aggregate(by_mode, list(by_mode), 'per-clip', seeds)
            stats[f'{name}/{source}'] = st
            for mode in args.modes:
                share = np.mean([by_mode[mode][s]['backbone_crops'] /
                                 by_mode['per-clip'][s]['backbone_crops']
                                 for s in seeds])
                lines.append(
                    f'| {MODELS[name][0]} | {source} | {mode} '
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
    with open(osp.join(args.work_dir, 'reuse_stats.json'), 'w') as f:
        json.dump(dict(meta=meta, stats=stats), f, indent=1)


if __name__ == '__main__':
    main()
