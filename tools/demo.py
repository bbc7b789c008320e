"""The main job: does TDMI read degraded key frames better than a
single-frame model? Measured on the built-in video dataset.

1. Generate the built-in videos (reused when they exist with the same
   parameters).
2. Train, with the same backbone widths, input size, data, schedule and
   number of iterations: (a) mmpose's single-frame ``TopdownPoseEstimator``
   (HRNet), (b) TDMI and (c) TDMI without the MI objective. A model whose
   checkpoint exists for the same config, seed and schedule is reused
   (``--retrain`` trains again).
3. Evaluate each with the PoseTrack mAP (ground-truth boxes) on all labelled
   validation frames, on the degraded key frames and on the clean ones;
   print the per-joint table and write it as ``results.json`` and
   ``results.md``.
4. Render a validation video with the single-frame model and TDMI side by
   side (mmpose's visualiser): ``side_by_side.mp4``.

Example:
    python tools/demo.py                      # what `make demo` runs
    python tools/demo.py --seed 1 --work-dir work_dirs/main_job_seed1
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import time

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG_DIR = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
MODELS = (
    ('single-frame', 'mmpose single-frame HRNet',
     'hrnet-w8_synthetic-videos-128x96_single-frame.py'),
    ('tdmi', 'TDMI', 'tdmi_hrnet-w8_synthetic-videos-128x96.py'),
    ('tdmi-no-mi', 'TDMI without L_MI',
     'tdmi_hrnet-w8_synthetic-videos-128x96_no-mi.py'),
)
SUBSETS = (('posetrack', 'all'), ('degraded', 'degraded'),
           ('clean', 'clean'))
QUICK = dict(num_train_videos=6, num_val_videos=2, num_frames=12)
COLUMNS = ('Head', 'Shoulder', 'Elbow', 'Wrist', 'Hip', 'Knee', 'Ankle',
           'Mean')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir',
                        default=osp.join(ROOT, 'work_dirs', 'main_job'))
    parser.add_argument('--data-root',
                        default=osp.join(ROOT, 'data', 'synthetic_videos'),
                        help='where the built-in videos are generated')
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the built-in videos')
    parser.add_argument('--seed', type=int, default=0,
                        help='training seed (all three models)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='epochs (default: the configs\' max_epochs)')
    parser.add_argument('--retrain', action='store_true',
                        help='train even where a checkpoint can be reused')
    parser.add_argument('--models', nargs='+',
                        default=[m[0] for m in MODELS],
                        choices=[m[0] for m in MODELS])
    parser.add_argument('--no-video', action='store_true',
                        help='skip the side-by-side video')
    parser.add_argument('--quick', action='store_true',
                        help='check the pipeline in about a minute: %s '
                        'videos, 2 epochs, data in WORK_DIR/data' % (QUICK, ))
    args = parser.parse_args()
    if args.quick:
        args.epochs = args.epochs or 2
        if args.data_root == parser.get_default('data_root'):
            args.data_root = osp.join(args.work_dir, 'data')
    return args


def model_config(config, args, work_dir):
    """The config of one model, pointed at the data and work dir."""
    cfg = Config.fromfile(osp.join(CFG_DIR, config))
    data_root = args.data_root.rstrip('/') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        for metric in evaluator:
            metric.ann_file = osp.join(data_root, 'annotations',
                                       osp.basename(metric.ann_file))
    if args.epochs:
        cfg.train_cfg.max_epochs = args.epochs
        cfg.param_scheduler[0].end = args.epochs
        cfg.param_scheduler[0].milestones = [args.epochs - 1]
    epochs = cfg.train_cfg.max_epochs
    # validation and checkpoint once, at the end (the evaluation step
    # below tests the final weights)
    cfg.train_cfg.val_interval = epochs + 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=epochs, save_best=None)
    cfg.randomness = dict(seed=args.seed)
    cfg.work_dir = work_dir
    cfg.load_from = None
    return cfg


def stamp(cfg, manifest):
    """What a reusable checkpoint must have been trained with."""
    text = cfg.pretty_text + json.dumps(manifest, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def train_or_reuse(name, label, cfg, manifest, retrain):
    """Path of the trained checkpoint of one model."""
    want = stamp(cfg, manifest)
    record = osp.join(cfg.work_dir, 'main_job_stamp.json')
    ckpt = osp.join(cfg.work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    if not retrain and osp.isfile(record) and osp.isfile(ckpt):
        with open(record) as f:
            if json.load(f).get('stamp') == want:
                print(f'[main job] {label}: reusing {osp.relpath(ckpt)} '
                      '(--retrain to train again)', flush=True)
                return ckpt, None
    print(f'[main job] {label}: training {cfg.train_cfg.max_epochs} epochs '
          f'(log in {osp.relpath(cfg.work_dir)})', flush=True)
    t0 = time.time()
    runner = Runner.from_cfg(cfg.copy())
    runner.train()
    seconds = time.time() - t0
    with open(record, 'w') as f:
        json.dump(dict(stamp=want, train_seconds=seconds,
                       iterations=runner.iter), f)
    return ckpt, seconds


def evaluate(cfg, ckpt):
    """PoseTrack mAP on all, degraded and clean validation frames."""
    cfg = cfg.copy()
    cfg.load_from = ckpt
    cfg.work_dir = osp.join(cfg.work_dir, 'test')
    metrics = Runner.from_cfg(cfg).test()
    return {subset: {c: float(metrics[f'{prefix}/{c}']) for c in COLUMNS}
            for prefix, subset in SUBSETS}


def format_tables(results, meta):
    """Text and Markdown tables of the per-joint mAP."""
    head = ['model', 'frames'] + list(COLUMNS)
    rows = []
    for name, label, _ in MODELS:
        if name not in results:
            continue
        for _, subset in SUBSETS:
            rows.append([label, subset] + [
                f'{results[name]["mAP"][subset][c]:.1f}' for c in COLUMNS])
    widths = [max(len(str(r[i])) for r in rows + [head])
              for i in range(len(head))]
    text = '\n'.join(' | '.join(str(v).rjust(w) for v, w in zip(r, widths))
                     for r in [head] + rows)
    md = ['| ' + ' | '.join(head) + ' |',
          '|' + '|'.join(['---'] * 2 + ['---:'] * len(COLUMNS)) + '|']
    md += ['| ' + ' | '.join(r) + ' |' for r in rows]
    md = '\n'.join(md) + '\n\n' + meta + '\n'
    return text, md


def render_side_by_side(cfgs, ckpts, data_root, out_file):
    """A validation video with several people and degraded frames: the
    single-frame model and TDMI side by side on its labelled frames
    (ground-truth boxes)."""
    import tdmi_mmpose  # noqa: F401
    from mmpose.apis import inference_topdown, init_model
    from mmpose.registry import VISUALIZERS
    from mmpose.structures import merge_data_samples

    from tdmi_mmpose.apis import inference_video_topdown
    with open(osp.join(data_root, 'annotations', 'synthetic_val.json')) as f:
        data = json.load(f)
    videos, boxes = {}, {}
    for img in data['images']:
        videos.setdefault(img['vid_id'], []).append(img)
    for ann in data['annotations']:
        x, y, w, h = ann['bbox']
        boxes.setdefault(ann['image_id'], []).append([x, y, x + w, y + h])
    # the video with the most people, then the most degraded frames
    frames = max(videos.values(), key=lambda v: (
        max(len(boxes.get(i['id'], [])) for i in v),
        sum(bool(i['degradations']) for i in v)))
    frames.sort(key=lambda i: i['file_name'])
    single = init_model(cfgs['single-frame'], ckpts['single-frame'], 'cpu')
    tdmi = init_model(cfgs['tdmi'], ckpts['tdmi'], 'cpu')
    vis = VISUALIZERS.build(dict(type='PoseLocalVisualizer', radius=2,
                                 line_width=1, name='main_job'))
    vis.set_dataset_meta(tdmi.dataset_meta)
    paths = [osp.join(data_root, i['file_name']) for i in frames]
    writer = None
    for k, img in enumerate(frames):
        if not img['is_labeled']:
            continue
        bxs = np.array(boxes.get(img['id'], np.zeros((0, 4))))
        clip = [paths[min(max(k + o, 0), len(paths) - 1)]
                for o in range(-2, 3)]
        panels = []
        for model, title in ((single, 'single-frame HRNet'),
                             (tdmi, 'TDMI')):
            if len(bxs) == 0:
                results = []
            elif model is single:
                results = inference_topdown(model, paths[k], bxs)
            else:
                results = inference_video_topdown(model, clip, bxs)
            image = cv2.imread(paths[k])[..., ::-1]
            if results:
                vis.add_datasample('frame', image, merge_data_samples(
                    results), draw_gt=False, draw_bbox=False, show=False,
                    kpt_thr=0.2)
                image = vis.get_image()
            image = np.ascontiguousarray(image[..., ::-1])
            caption = title + (f' | degraded: {", ".join(img["degradations"])}'
                               if img['degradations'] else '')
            cv2.putText(image, caption, (6, 18), cv2.FONT_HERSHEY_SIMPLEX,
                        0.45, (255, 255, 255), 1, cv2.LINE_AA)
            panels.append(image)
        frame = np.concatenate(panels, axis=1)
        if writer is None:
            writer = cv2.VideoWriter(out_file,
                                     cv2.VideoWriter_fourcc(*'mp4v'), 3,
                                     (frame.shape[1], frame.shape[0]))
        writer.write(frame)
    if writer is not None:
        writer.release()


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    t_start = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    print('[main job] 1/4 built-in videos', flush=True)
    manifest = generate_synthetic_videos(
        args.data_root, seed=args.data_seed,
        logger=lambda m: print(f'[main job] {m}', flush=True),
        **(QUICK if args.quick else {}))
    cfgs, ckpts, results = {}, {}, {}
    selected = [m for m in MODELS if m[0] in args.models]
    for i, (name, label, config) in enumerate(selected):
        print(f'[main job] 2/4 model {i + 1}/{len(selected)}: {label}',
              flush=True)
        cfg = model_config(config, args, osp.join(args.work_dir, name))
        ckpt, seconds = train_or_reuse(name, label, cfg, manifest,
                                       args.retrain)
        cfgs[name], ckpts[name] = cfg, ckpt
    for name, label, _ in selected:
        print(f'[main job] 3/4 evaluating {label}', flush=True)
        results[name] = dict(label=label, config=osp.relpath(
            osp.join(CFG_DIR, dict((m[0], m[2]) for m in MODELS)[name]),
            ROOT), mAP=evaluate(cfgs[name], ckpts[name]))
    splits = manifest['splits']
    meta = (f'PoseTrack mAP (PCKh@0.5, ground-truth boxes) on the built-in '
            f'validation videos: {splits["val"]["labelled_frames"]} '
            f'labelled frames, {splits["val"]["degraded_frames"]} of them '
            f'degraded; {splits["train"]["people"]} training people; '
            f'training seed {args.seed}, data seed {args.data_seed}, '
            f'{cfgs[selected[0][0]].train_cfg.max_epochs} epochs; '
            f'{time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    text, md = format_tables(results, meta)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(results=results, meta=meta, seed=args.seed,
                       data=manifest), f, indent=1)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(md)
    print(f'[main job] results ({meta})\n{text}', flush=True)
    if not args.no_video and {'single-frame', 'tdmi'} <= set(ckpts):
        out = osp.join(args.work_dir, 'side_by_side.mp4')
        print('[main job] 4/4 rendering the single-frame model and TDMI '
              'side by side', flush=True)
        render_side_by_side(cfgs, ckpts, args.data_root, out)
        print(f'[main job] video: {osp.relpath(out)}', flush=True)
    print(f'[main job] done in {time.time() - t_start:.0f} s; tables in '
          f'{osp.relpath(args.work_dir)}/results.{{json,md}}', flush=True)


if __name__ == '__main__':
    main()
