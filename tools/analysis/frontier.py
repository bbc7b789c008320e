"""The speed/accuracy frontier of the video pipelines: mmpose's single-frame
top-down pipeline and TDMI (per clip, and with aligned feature reuse), each
with and without the flip test.

1. **Accuracy** on the built-in validation videos, for each training seed
   ``tools/analysis/ablation.py`` trained (the single-frame model and TDMI
   at ``--epochs``): PoseTrack mAP on all / degraded / clean key frames
   with ground-truth boxes (an unlabelled frame holds the boxes of the
   labelled one before it) and with detected boxes (the main job's
   RTMDet-tiny + ByteTrack), the paired-by-seed difference of each
   pipeline to the single-frame pipeline with flip test (95% interval),
   and the backbone crops per person and frame; then the **frames per
   second** of each pipeline in one timing pass (seed 0's models, detected
   boxes, every validation video, the CPU), run after the accuracy runs so
   that those can share the machine while the timing does not.
2. **Speed at full size** (``--w48``): frames per second and backbone crops
   of the same six pipelines with HRNet-W48 384x288 (random weights) on the
   built-in validation video with the most people, ground-truth boxes (no
   detector: the same boxes for all, and no CUDA NMS on a GPU), each ratio
   to the single-frame pipeline with flip test; ``--device cuda`` on a GPU.

Writes ``WORK_DIR/frontier.{json,md}`` and ``frontier.png`` (mAP against
frames per second, intervals as bars); finished runs are recorded and
reused.

Train first (reuses finished runs), then measure:
    python tools/analysis/ablation.py --configs tdmi single-frame --seeds 3
    python tools/demo.py           # the detector (work_dirs/main_job)
    python tools/analysis/frontier.py --seeds 3 --w48
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3,
                        help='training seeds 0..K-1, K >= 2 (default: 3)')
    parser.add_argument('--epochs', type=int, default=5,
                        help='budget of the ablation runs to load')
    parser.add_argument('--boxes', nargs='+', choices=['gt', 'detected'],
                        default=['gt', 'detected'])
    parser.add_argument('--pipelines', nargs='+', choices=list(PIPELINES),
                        default=list(PIPELINES))
    parser.add_argument('--no-accuracy', dest='accuracy',
                        action='store_false',
                        help='skip the accuracy runs (speed only)')
    parser.add_argument('--no-speed', dest='speed', action='store_false',
                        help='skip the timing pass of the built-in models')
    parser.add_argument('--w48', action='store_true',
                        help='also the HRNet-W48 384x288 speed rows')
    parser.add_argument('--w48-frames', type=int, default=12)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--ablation-dir', default=osp.join(
        ROOT, 'work_dirs', 'ablation'),
        help="ablation.py's work dir (the checkpoints)")
    parser.add_argument('--job', default=osp.join(ROOT, 'work_dirs',
                                                  'main_job'),
                        help="the main job's work dir (the detector)")
    parser.add_argument('--work-dir', default=None,
                        help='where to write (default: --ablation-dir)')
    parser.add_argument('--data-root', default=osp.join(
        ROOT, 'data', 'synthetic_videos') + '/')
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error(f'--seeds {args.seeds}: K must be at least 2')
    args.work_dir = args.work_dir or args.ablation_dir
    return args


def given_boxes_inferencer():
    """mmpose's ``Pose2DInferencer`` fed the boxes given to each frame
    (mmpose 1.3.2's ignores ``bboxes`` for top-down models and would run a
    detector or take the whole image)."""
    from mmpose.apis.inferencers import Pose2DInferencer

    class GivenBoxes(Pose2DInferencer):

        def preprocess_single(self, input, index, bbox_thr=0.3, nms_thr=0.3,
                              bboxes=()):
            info = dict(img_path=input) if isinstance(input, str) else dict(
                img=input, img_path=f'{index:06d}.jpg')
            info.update(self.model.dataset_meta)
            return [self.pipeline(dict(info, bbox=np.asarray(b[None, :4]),
                                       bbox_score=np.asarray(b[4:5])))
                    for b in np.asarray(bboxes, np.float32).reshape(-1, 5)]
    return GivenBoxes


def held_gt_boxes(data_root):
    """``{video: [(N, 5) boxes per frame]}``: the ground-truth boxes of the
    labelled frames, each unlabelled frame holding those of the labelled
    frame before it (the first ones those after), so that every pipeline
    has people in every frame."""
    from reuse_accuracy import gt_boxes
    out = {}
    for video, frames in gt_boxes(data_root).items():
        held, last = [], None
        for boxes in frames:
            last = boxes if len(boxes) else last
            held.append(last)
        first = next((b for b in held if b is not None),
                     np.zeros((0, 5), np.float32))
        out[video] = [first if b is None else b for b in held]
    return out


def build(pipeline, config, ckpt, device, det):
    """The inferencer of a pipeline (``det``: detector arguments, or
    None for given boxes)."""
    from mmengine.registry import DefaultScope
    from demo import TRACKER
    from tdmi_mmpose.apis import VideoPoseInferencer
    _, model, flip, reuse = PIPELINES[pipeline]
    if model == 'single-frame':
        with DefaultScope.overwrite_default_scope('mmpose'):
            if det:
                from mmpose.apis.inferencers import Pose2DInferencer
                inf = Pose2DInferencer(config, ckpt, device=device, **det)
            else:
                inf = given_boxes_inferencer()(config, ckpt, device=device,
                                               det_model='whole_image')
    else:
        inf = VideoPoseInferencer(config, ckpt, device=device,
                                  tracker=TRACKER, reuse_features=reuse,
                                  reuse_align=True, **(det or {}))
    inf.model.test_cfg = dict(inf.model.test_cfg, **FLIP) if flip else \
        dict(inf.model.test_cfg, flip_test=False)
    return inf


def measure(inf, run):
    """``run()``'s result, and the backbone crops per person and frame it
    took (``run`` returns the number of people it estimated)."""
    crops = []
    hook = inf.model.backbone.register_forward_hook(
        lambda m, inputs, out: crops.append(inputs[0].shape[0]))
    try:
        result, people = run()
    finally:
        hook.remove()
    return result, sum(crops) / max(people, 1)


def accuracy(args, runs, record):
    """Accuracy runs (recorded in ``runs``), one per pipeline, seed and box
    source; returns the statistics per box source."""
    from demo import BBOX_THR, main_job_detector, video_map
    det = main_job_detector(args.job) if 'detected' in args.boxes else None
    boxes = held_gt_boxes(args.data_root)
    configs = {m: osp.join(SYN, MODELS[m][1]) for m in ('single-frame',
                                                        'tdmi')}
    jobs = [(p, s, b) for s in range(args.seeds) for b in args.boxes
            for p in args.pipelines]
    t0, done = time.time(), 0
    for i, (pipeline, seed, source) in enumerate(jobs):
        key = f'{pipeline}/e{args.epochs}/{source}'
        if str(seed) in runs.get(key, {}):
            continue
        model = PIPELINES[pipeline][1]
        ckpt = osp.join(args.ablation_dir, model,
                        f'e{args.epochs}_seed{seed}',
                        f'epoch_{args.epochs}.pth')
        if not osp.isfile(ckpt):
            sys.exit(f'frontier.py: error: {ckpt} is missing: train it with '
                     f'`python tools/analysis/ablation.py --configs tdmi '
                     f'single-frame --seeds {args.seeds} --work-dir '
                     f'{args.ablation_dir}`')
        left = '' if not done else \
            f', about {(time.time() - t0) / done * (len(jobs) - i) / 60:.0f}' \
            ' min left'
        print(f'[frontier] {i + 1}/{len(jobs)}: {PIPELINES[pipeline][0]}, '
              f'seed {seed}, {source} boxes{left}', flush=True)
        inf = build(pipeline, configs[model], ckpt, 'cpu',
                    det if source == 'detected' else None)
        kwargs = dict(bbox_thr=BBOX_THR) if source == 'detected' else dict(
            boxes=boxes)
        people = []

        def run():
            mAP, fps = video_map(inf, args.data_root, **kwargs)
            return (mAP, fps), sum(people) or 1
        # people estimated: counted from the backbone's key crops is not
        # possible with reuse, so from the predictions
        orig = inf.postprocess

        def counting(preds, *a, **k):
            people.append(sum(len(p.pred_instances) for p in preds))
            return orig(preds, *a, **k)
        inf.postprocess = counting
        (mAP, fps), crops = measure(inf, run)
        runs.setdefault(key, {})[str(seed)] = dict(
            {s: mAP[s]['Mean'] for s in ('all', 'degraded', 'clean')},
            frames_per_second=fps, crops_per_person=crops)
        with open(record, 'w') as f:
            json.dump(runs, f, indent=1)
        done += 1
        print(f'[frontier]   mAP {mAP["all"]["Mean"]:.1f}, {fps:.1f} '
              f'frames/s, {crops:.2f} backbone crops per person',
              flush=True)
    stats = {}
    for source in args.boxes:
        by = {p: {int(s): v for s, v in runs[f'{p}/e{args.epochs}/'
                                             f'{source}'].items()
                  if int(s) < args.seeds}
              for p in args.pipelines}
        st = aggregate(by, list(by), REFERENCE if REFERENCE in by else
                       args.pipelines[0], list(range(args.seeds)))
        for p in by:
            st[p]['frames_per_second'] = float(np.mean(
                [r['frames_per_second'] for r in by[p].values()]))
            st[p]['crops_per_person'] = float(np.mean(
                [r['crops_per_person'] for r in by[p].values()]))
        stats[source] = st
    return stats


def timing(args, stats):
    """Frames per second of each pipeline, measured in one pass with seed
    0's models and the main job's detector over every validation video,
    into ``stats`` (every box source's rows)."""
    from demo import BBOX_THR, main_job_detector, video_map
    det = main_job_detector(args.job)
    for pipeline in args.pipelines:
        model = PIPELINES[pipeline][1]
        inf = build(pipeline, osp.join(SYN, MODELS[model][1]), osp.join(
            args.ablation_dir, model, f'e{args.epochs}_seed0',
            f'epoch_{args.epochs}.pth'), 'cpu', det)
        _, fps = video_map(inf, args.data_root, bbox_thr=BBOX_THR)
        for st in stats.values():
            st[pipeline]['frames_per_second'] = fps
        print(f'[frontier] timing, {PIPELINES[pipeline][0]}: {fps:.2f} '
              'frames/s', flush=True)


def speed_w48(args):
    """Frames per second and backbone crops of each pipeline at HRNet-W48
    384x288 (random weights), ground-truth boxes, the busiest video."""
    import torch
    from demo import val_videos
    from get_cost import BASELINE, DEFAULT, resolve
    videos, data = val_videos(args.data_root)
    boxes = held_gt_boxes(args.data_root)
    video = max(videos, key=lambda v: sum(len(b) for b in boxes[v]))
    paths = [osp.join(args.data_root, im['file_name'])
             for im in videos[video]][:args.w48_frames]
    frame_boxes = boxes[video][:args.w48_frames]
    people = sum(len(b) for b in frame_boxes)
    rows = {}
    for pipeline in args.pipelines:
        torch.manual_seed(0)
        model = PIPELINES[pipeline][1]
        inf = build(pipeline, resolve(BASELINE) if model == 'single-frame'
                    else DEFAULT, None, args.device, None)
        list(inf(paths[:3], bboxes=frame_boxes[:3]))  # warm-up
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()

        def run():
            t0 = time.perf_counter()
            list(inf(paths, bboxes=frame_boxes))
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            return len(paths) / (time.perf_counter() - t0), people
        fps, crops = measure(inf, run)
        rows[pipeline] = dict(frames_per_second=fps, crops_per_person=crops)
        print(f'[frontier] W48 {PIPELINES[pipeline][0]}: {fps:.2f} frames/s,'
              f' {crops:.2f} backbone crops per person', flush=True)
    ref = rows.get(REFERENCE)
    for row in rows.values():
        row['cost_vs_single_flip'] = (ref['frames_per_second'] /
                                      row['frames_per_second']) if ref \
            else None
    return dict(rows=rows, frames=len(paths), people_per_frame=people /
                len(paths), device=args.device)


def markdown(stats, w48, meta):
    lines = [meta, '']
    for source, st in stats.items():
        lines += [f'**{source} boxes**', '',
                  '| pipeline | all | degraded | clean | all − single-frame '
                  'flip (paired) | degraded − single-frame flip | frames/s | '
                  'backbone crops / person |',
                  '|---|---:|---:|---:|---:|---:|---:|---:|']
        for p, e in st.items():
            d = [fmt_diff(e[s]['minus_reference'])
                 if 'minus_reference' in e[s] else '—'
                 for s in ('all', 'degraded')]
            lines.append(
                f'| {PIPELINES[p][0]} | {fmt(e["all"])} | '
                f'{fmt(e["degraded"])} | {fmt(e["clean"])} | {d[0]} | '
                f'{d[1]} | {e["frames_per_second"]:.1f} | '
                f'{e["crops_per_person"]:.2f} |')
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


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401
    os.makedirs(args.work_dir, exist_ok=True)
    record = osp.join(args.work_dir, 'frontier_runs.json')
    runs = {}
    if osp.isfile(record):
        with open(record) as f:
            runs = json.load(f)
    stats = accuracy(args, runs, record) if args.accuracy else {}
    if stats and args.speed:
        timing(args, stats)
    w48 = speed_w48(args) if args.w48 else None
    meta = (f'Video pipelines on the built-in validation videos (PoseTrack '
            f'mAP, 144 labelled frames, 70 degraded), K = {args.seeds} '
            f'training seeds, {args.epochs} epochs, the CPU (one process); '
            'paired differences to mmpose\'s single-frame pipeline with flip '
            f'test; {time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    md = markdown(stats, w48, meta)
    print('\n' + md, flush=True)
    out = dict(meta=meta, stats=stats, w48=w48,
               caption=f'frontier.py {" ".join(sys.argv[1:])}; '
               f'{time.strftime("%Y-%m-%d")}')
    with open(osp.join(args.work_dir, 'frontier.json'), 'w') as f:
        json.dump(out, f, indent=1)
    with open(osp.join(args.work_dir, 'frontier.md'), 'w') as f:
        f.write(md + '\n')
    if stats:
        from figures import frontier_figure
        source = 'detected' if 'detected' in stats else next(iter(stats))
        points = [(PIPELINES[p][0], e['frames_per_second'], e['all'])
                  for p, e in stats[source].items()]
        png = frontier_figure(points, osp.join(args.work_dir,
                                               'frontier.png'),
                              f'{out["caption"]} ({source} boxes)')
        print(f'[frontier] figure: {png}', flush=True)


if __name__ == '__main__':
    main()
