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
   ``results.md``, and the figure ``results.png``.
4. Train mmdet's RTMDet-tiny as the person detector of the built-in videos
   (reused like the pose models) and report its COCO bbox AP.
5. Run detector + ByteTrack + TDMI (b) with the video inferencer on every
   validation video, as a user runs it on a video (its default: each
   person cropped once per frame, neighbours' features warped into the key
   crop); report its PoseTrack mAP with
   detected boxes and its frames per second next to mmpose's single-frame
   pipeline with the same detector (model (a)), and write the annotated
   clip of the most crowded video (``tracked/val_<video>.mp4``).
6. Render a validation video with the single-frame model and TDMI side by
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
import sys
import time

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from tdmi_mmpose.apis.inferencers import bytetrack

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG_DIR = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
MODELS = (
    ('single-frame', 'mmpose single-frame HRNet',
     'hrnet-w8_synthetic-videos-128x96_single-frame.py'),
    ('tdmi', 'TDMI', 'tdmi_hrnet-w8_synthetic-videos-128x96.py'),
    ('tdmi-no-mi', 'TDMI without L_MI',
     'tdmi_hrnet-w8_synthetic-videos-128x96_no-mi.py'),
    # an option (--models ... tdmi-warm): TDMI warm-started from the
    # single-frame model (a), trained 2 more epochs
    ('tdmi-warm', 'TDMI warm-started from (a), +2 epochs',
     'tdmi_hrnet-w8_synthetic-videos-128x96_warm-start.py'),
)
# the models `make demo` trains; tdmi-warm is asked for by name
DEFAULT_MODELS = ('single-frame', 'tdmi', 'tdmi-no-mi')
DETECTOR = ('detector', 'RTMDet-tiny person detector',
            osp.join(ROOT, 'configs', 'detection',
                     'rtmdet-tiny_synthetic-videos-256x192.py'))
# The small detector's scores stay below 0.65: ByteTrack's thresholds (mmdet
# MOT17: tracks start at 0.7) are lowered to match.
BBOX_THR = 0.3
TRACKER = bytetrack(track_thr=0.4)
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
                        help='where the built-in videos are generated '
                        '(default: data/synthetic_videos, with _seedN '
                        'added for --data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the built-in videos')
    parser.add_argument('--seed', type=int, default=0,
                        help='training seed (all models)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='epochs (default: the configs\' max_epochs)')
    parser.add_argument('--retrain', action='store_true',
                        help='train even where a checkpoint can be reused')
    parser.add_argument('--models', nargs='+',
                        default=list(DEFAULT_MODELS),
                        choices=[m[0] for m in MODELS],
                        help='models to train (default: %(default)s); '
                        'tdmi-warm warm-starts TDMI from the single-frame '
                        'model and trains it 2 epochs (--epochs does not '
                        'change that budget)')
    parser.add_argument('--no-video', action='store_true',
                        help='skip the side-by-side video')
    parser.add_argument('--no-detector', action='store_true',
                        help='skip the detector + tracker + TDMI stage')
    parser.add_argument('--quick', action='store_true',
                        help='check the pipeline in about a minute: %s '
                        'videos, 2 epochs, data in WORK_DIR/data' % (QUICK, ))
    args = parser.parse_args()
    if 'tdmi-warm' in args.models and 'single-frame' not in args.models:
        args.models.insert(0, 'single-frame')  # what it starts from
    if args.quick:
        args.epochs = args.epochs or 2
        if args.data_root is None:
            args.data_root = osp.join(args.work_dir, 'data')
    args.data_root = args.data_root or default_data_root(args.data_seed)
    return args


def default_data_root(data_seed):
    """Where the built-in videos of ``data_seed`` go by default: the main
    job's for seed 0, a directory of their own for the others (so another
    data seed does not rebuild the main job's videos)."""
    suffix = f'_seed{data_seed}' if data_seed else ''
    return osp.join(ROOT, 'data', f'synthetic_videos{suffix}')


def job_config(path, args, work_dir, epochs=None):
    """A config of the main job, pointed at the data and work dir, trained
    for ``epochs`` (default: the config's) with one checkpoint at the end
    and no validation during training (the evaluation step tests the final
    weights)."""
    cfg = Config.fromfile(path)
    data_root = args.data_root.rstrip('/') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        for metric in (evaluator if isinstance(evaluator, list) else
                       [evaluator]):
            metric.ann_file = osp.join(data_root, 'annotations',
                                       osp.basename(metric.ann_file))
    configured = cfg.train_cfg.max_epochs
    epochs = epochs or configured
    if epochs != configured:
        cfg.train_cfg.max_epochs = epochs
        for sched in cfg.param_scheduler:
            if sched.get('end') == configured:
                sched.end = epochs
            if 'milestones' in sched:  # x0.1 for the last epoch of 2+
                sched.milestones = [max(epochs - 1, 1)]
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


def evaluate_detector(cfg, ckpt):
    """COCO bbox AP of the person detector on the validation frames (0
    when it detects nothing, e.g. after the one epoch of ``--quick``)."""
    cfg = cfg.copy()
    cfg.load_from = ckpt
    cfg.work_dir = osp.join(cfg.work_dir, 'test')
    metrics = Runner.from_cfg(cfg).test()
    box_ap = dict(bbox_mAP=0.0, bbox_mAP_50=0.0)
    box_ap.update({k.split('/')[-1]: float(v) for k, v in metrics.items()
                   if k.startswith('coco/bbox_mAP')})
    return box_ap


def main_job_detector(job):
    """Inferencer arguments of the person detector a main job in ``job``
    trained; an error naming the missing file otherwise."""
    det_cfg = osp.join(job, 'detector', osp.basename(DETECTOR[2]))
    det_ckpt = osp.join(job, 'detector', 'epoch_12.pth')
    for path in (det_cfg, det_ckpt):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} is missing: run `make demo` '
                                    '(the main job trains the detector) '
                                    'first, or give --job')
    return dict(det_model=det_cfg, det_weights=det_ckpt, det_cat_ids=0)


def val_videos(data_root):
    """``{video: [image records in frame order]}`` of the validation set."""
    with open(osp.join(data_root, 'annotations', 'synthetic_val.json')) as f:
        data = json.load(f)
    videos = {}
    for img in sorted(data['images'], key=lambda i: i['file_name']):
        videos.setdefault(img['vid_id'], []).append(img)
    return videos, data


def video_map(inferencer, data_root, boxes=None, **call_kwargs):
    """PoseTrack mAP (all / degraded / clean frames) and frames per second
    of an mmpose-style inferencer (detector included) run over every
    validation video; a person's joint scores are weighted by its box
    score, as top-down pipelines rank people. ``boxes`` (``{video: boxes
    per frame}``) replaces the detector."""
    from tdmi_mmpose.evaluation import PoseTrackMAPMetric
    videos, _ = val_videos(data_root)
    entries, t0, frames = [], time.time(), 0
    for video, images in videos.items():
        paths = [osp.join(data_root, im['file_name']) for im in images]
        if boxes is not None:
            call_kwargs['bboxes'] = boxes[video]
        for im, result in zip(images, inferencer(paths, **call_kwargs)):
            frames += 1
            for person in result['predictions'][0]:
                entries.append(dict(
                    img_id=im['id'], keypoints=np.asarray(
                        person['keypoints'], np.float64),
                    scores=np.asarray(person['keypoint_scores'],
                                      np.float64) * person['bbox_score']))
    fps = frames / (time.time() - t0)
    mAP = {}
    for prefix, subset in SUBSETS:
        name = 'synthetic_val.json' if subset == 'all' else \
            f'synthetic_val_{subset}.json'
        metric = PoseTrackMAPMetric(osp.join(data_root, 'annotations', name))
        mAP[subset] = {c: float(v) for c, v in
                       metric.compute_metrics(entries).items()}
    return mAP, fps


def evaluate_video_pipeline(pose_cfg, pose_ckpt, det_cfg, det_ckpt,
                            data_root, work_dir):
    """PoseTrack mAP of detector + tracker + TDMI, run as a user runs it
    (the video inferencer over every validation video), and the annotated
    clip of the most crowded video."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    inferencer = VideoPoseInferencer(pose_cfg, pose_ckpt, device='cpu',
                                     det_model=det_cfg, det_weights=det_ckpt,
                                     det_cat_ids=0, tracker=TRACKER)
    print(f'[main job] video inferencer: feature reuse '
          f'{inferencer.reuse_mode}', flush=True)
    mAP, fps = video_map(inferencer, data_root, bbox_thr=BBOX_THR)
    videos, data = val_videos(data_root)
    per_video_people = {v: max(sum(a['image_id'] == im['id']
                                   for a in data['annotations'])
                               for im in ims) for v, ims in videos.items()}
    # the most crowded video, as a video file through the inferencer
    video = max(per_video_people, key=per_video_people.get)
    clip = osp.join(work_dir, f'val_{video}.mp4')
    first = cv2.imread(osp.join(data_root, videos[video][0]['file_name']))
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (first.shape[1], first.shape[0]))
    for im in videos[video]:
        writer.write(cv2.imread(osp.join(data_root, im['file_name'])))
    writer.release()
    out_dir = osp.join(work_dir, 'tracked')
    for _ in inferencer(clip, bbox_thr=BBOX_THR, draw_bbox=True, kpt_thr=0.2,
                        vis_out_dir=out_dir, pred_out_dir=out_dir):
        pass
    return mAP, fps, osp.join(out_dir, osp.basename(clip))


def evaluate_single_frame_pipeline(pose_cfg, pose_ckpt, det_cfg, det_ckpt,
                                   data_root):
    """PoseTrack mAP and frames per second of mmpose's single-frame
    top-down inferencer with the same detector."""
    from mmpose.apis.inferencers import Pose2DInferencer
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmpose'):
        inferencer = Pose2DInferencer(pose_cfg, pose_ckpt, device='cpu',
                                      det_model=det_cfg,
                                      det_weights=det_ckpt, det_cat_ids=0)
        return video_map(inferencer, data_root, bbox_thr=BBOX_THR)


def format_tables(results, meta):
    """Text and Markdown tables of the per-joint mAP."""
    head = ['model', 'frames'] + list(COLUMNS)
    rows = []
    for result in results.values():
        for _, subset in SUBSETS:
            rows.append([result['label'], subset] + [
                f'{result["mAP"][subset][c]:.1f}' for c in COLUMNS])
    widths = [max(len(str(r[i])) for r in rows + [head])
              for i in range(len(head))]
    text = '\n'.join(' | '.join(str(v).rjust(w) for v, w in zip(r, widths))
                     for r in [head] + rows)
    md = ['| ' + ' | '.join(head) + ' |',
          '|' + '|'.join(['---'] * 2 + ['---:'] * len(COLUMNS)) + '|']
    md += ['| ' + ' | '.join(r) + ' |' for r in rows]
    md = '\n'.join(md) + '\n\n' + meta + '\n'
    return text, md


def results_figure(results, args):
    """``results.png`` in the work dir: mAP of each model (ground-truth
    boxes) on all / degraded / clean key frames, this job's seed as a
    point."""
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    from figures import results_figure as draw
    per_model = {r['label']: {subset: [r['mAP'][subset]['Mean']]
                              for _, subset in SUBSETS}
                 for name, r in results.items()
                 if not name.endswith('-detected')}
    return draw(per_model, osp.join(args.work_dir, 'results.png'),
                f'tools/demo.py (seed {args.seed}, ground-truth boxes); '
                f'{time.strftime("%Y-%m-%d")}')


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
    print('[main job] 1/5 built-in videos', flush=True)
    manifest = generate_synthetic_videos(
        args.data_root, seed=args.data_seed,
        logger=lambda m: print(f'[main job] {m}', flush=True),
        **(QUICK if args.quick else {}))
    cfgs, ckpts, results = {}, {}, {}
    selected = [m for m in MODELS if m[0] in args.models]
    for i, (name, label, config) in enumerate(selected):
        print(f'[main job] 2/5 model {i + 1}/{len(selected)}: {label}',
              flush=True)
        cfg = job_config(osp.join(CFG_DIR, config), args,
                         osp.join(args.work_dir, name),
                         None if name == 'tdmi-warm' else args.epochs)
        if name == 'tdmi-warm':  # starts from this job's model (a)
            cfg.model.init_cfg.checkpoint = ckpts['single-frame']
            cfg.warm_start_stamp = stamp(cfgs['single-frame'], manifest)
        ckpt, seconds = train_or_reuse(name, label, cfg, manifest,
                                       args.retrain)
        cfgs[name], ckpts[name] = cfg, ckpt
    for name, label, _ in selected:
        print(f'[main job] 3/5 evaluating {label}', flush=True)
        results[name] = dict(label=label, config=osp.relpath(
            osp.join(CFG_DIR, dict((m[0], m[2]) for m in MODELS)[name]),
            ROOT), mAP=evaluate(cfgs[name], ckpts[name]))
    tracked_clip = None
    if 'tdmi' in ckpts and not args.no_detector:
        name, label, config = DETECTOR
        print(f'[main job] 4/5 {label}', flush=True)
        det_work = osp.join(args.work_dir, name)
        det_cfg = job_config(config, args, det_work,
                             1 if args.quick else None)
        det_ckpt, _ = train_or_reuse(name, label, det_cfg, manifest,
                                     args.retrain)
        box_ap = evaluate_detector(det_cfg, det_ckpt)
        print(f'[main job] {label}: bbox AP {100 * box_ap["bbox_mAP"]:.1f}, '
              f'AP50 {100 * box_ap["bbox_mAP_50"]:.1f}', flush=True)
        print('[main job] 5/5 detector + ByteTrack + TDMI on every '
              'validation video (the video inferencer)', flush=True)
        det_cfg_file = osp.join(det_work, osp.basename(config))
        det_cfg.dump(det_cfg_file)
        mAP, fps, tracked_clip = evaluate_video_pipeline(
            cfgs['tdmi'], ckpts['tdmi'], det_cfg_file, det_ckpt,
            args.data_root, args.work_dir)
        results['tdmi-detected'] = dict(
            label='TDMI, detected boxes', mAP=mAP,
            frames_per_second=fps,
            detector=dict(config=osp.relpath(config, ROOT),
                          bbox_AP=box_ap))
        if 'single-frame' in ckpts:
            mAP, fps = evaluate_single_frame_pipeline(
                cfgs['single-frame'], ckpts['single-frame'], det_cfg_file,
                det_ckpt, args.data_root)
            results['single-frame-detected'] = dict(
                label='mmpose single-frame HRNet, detected boxes', mAP=mAP,
                frames_per_second=fps)
    splits = manifest['splits']
    meta = (f'PoseTrack mAP (PCKh@0.5, ground-truth boxes unless said) on '
            f'the built-in validation videos: '
            f'{splits["val"]["labelled_frames"]} '
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
    figure = results_figure(results, args)
    print(f'[main job] figure: {osp.relpath(figure)}', flush=True)
    if not args.no_video and {'single-frame', 'tdmi'} <= set(ckpts):
        out = osp.join(args.work_dir, 'side_by_side.mp4')
        print('[main job] rendering the single-frame model and TDMI side '
              'by side', flush=True)
        render_side_by_side(cfgs, ckpts, args.data_root, out)
        print(f'[main job] video: {osp.relpath(out)}', flush=True)
    if tracked_clip:
        single = results.get('single-frame-detected')
        print(f'[main job] detector + ByteTrack + TDMI: {tracked_clip} '
              f'({results["tdmi-detected"]["frames_per_second"]:.1f} '
              'frames/s on the validation videos' + (
                  f'; mmpose\'s single-frame pipeline with the same '
                  f'detector: {single["frames_per_second"]:.1f} frames/s'
                  if single else '') + ')', flush=True)
    print(f'[main job] done in {time.time() - t_start:.0f} s; tables in '
          f'{osp.relpath(args.work_dir)}/results.{{json,md}}', flush=True)


if __name__ == '__main__':
    main()
