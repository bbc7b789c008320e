"""The main job (``make demo``, ``tools/main_job.py``): does TDMI read degraded
key frames better than a single-frame model? Measured on the built-in
video dataset.

1. Generate the built-in videos (reused when they exist with the same
   parameters).
2. Train, with the same backbone widths, input size, data, schedule and
   number of iterations: (a) mmpose's single-frame ``TopdownPoseEstimator``
   (HRNet), (b) TDMI and (c) TDMI without the MI objective. A model whose
   checkpoint exists for the same config, seed and schedule is reused
   (``retrain`` trains again).
3. Evaluate each with the PoseTrack mAP (ground-truth boxes) on all labelled
   validation frames, on the degraded key frames and on the clean ones;
   write the per-joint table as ``results.json`` and ``results.md``, and
   the figure ``results.png``.
4. Train mmdet's RTMDet-tiny as the person detector of the built-in videos
   (reused like the pose models) and report its COCO bbox AP.
5. Run detector + ByteTrack + TDMI (b) with the video inferencer on every
   validation video, as a user runs it on a video (its default: each
   person cropped once per frame, neighbours' features warped into the key
   crop); report its PoseTrack mAP with detected boxes and its frames per
   second next to mmpose's single-frame pipeline with the same detector
   (model (a)), and write the annotated clip of the most crowded video
   (``tracked/val_<video>.mp4``).
6. Render a validation video with the single-frame model and TDMI side by
   side (mmpose's visualiser): ``side_by_side.mp4``.
"""
import json
import os
import os.path as osp
import time

import cv2
import numpy as np

from . import figures
from .jobs import (evaluate, evaluate_detector, job_config, stamp,
                   train_or_reuse)
from .models import (BBOX_THR, COLUMNS, DETECTOR, MODELS, QUICK,
                     SUBSETS, canonical, config_path, tracker)
from .progress import logger_of
from .records import write_json
from .video_eval import val_videos, video_map

say = logger_of('main job')


def evaluate_video_pipeline(pose_cfg, pose_ckpt, det_cfg, det_ckpt,
                            data_root, work_dir):
    """PoseTrack mAP of detector + tracker + TDMI, run as a user runs it
    (the video inferencer over every validation video), and the annotated
    clip of the most crowded video."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    inferencer = VideoPoseInferencer(pose_cfg, pose_ckpt, device='cpu',
                                     det_model=det_cfg, det_weights=det_ckpt,
                                     det_cat_ids=0, tracker=tracker())
    say(f'video inferencer: feature reuse {inferencer.reuse_mode}')
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


def pipelines_line(results):
    """The detector's box AP and the frames per second of the video
    pipelines in words ('' without the detector stage)."""
    tdmi = results.get('tdmi-detected')
    if not tdmi:
        return ''
    line = (f'Detected boxes: {DETECTOR.label}, bbox AP '
            f'{100 * tdmi["detector"]["bbox_AP"]["bbox_mAP"]:.1f}; '
            f'detector + ByteTrack + TDMI (aligned feature reuse) ran at '
            f'{tdmi["frames_per_second"]:.1f} frames/s')
    single = results.get('single-frame-detected')
    if single:
        line += (f', mmpose\'s single-frame pipeline with the same detector '
                 f'at {single["frames_per_second"]:.1f} frames/s')
    return line + ' (same run, every validation video).'


def format_tables(results, meta):
    """Text and Markdown tables of the per-joint mAP (and the detector's AP
    and the pipelines' frames per second under the Markdown one)."""
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
    line = pipelines_line(results)
    md = '\n'.join(md) + '\n\n' + (line + '\n\n' if line else '') + \
        meta + '\n'
    return text, md


def results_figure(results, params):
    """``results.png`` in the work dir: mAP of each model (ground-truth
    boxes) on all / degraded / clean key frames, this job's seed as a
    point."""
    per_model = {r['label']: {subset: [r['mAP'][subset]['Mean']]
                              for _, subset in SUBSETS}
                 for name, r in results.items()
                 if not name.endswith('-detected')}
    return figures.results_figure(
        per_model, osp.join(params.work_dir, 'results.png'),
        f'tools/main_job.py (seed {params.seed}, ground-truth boxes); '
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


def train_models(params, manifest):
    """Step 2: train (or reuse) each model of ``params.models``.

    Returns:
        tuple[dict, dict]: configs and checkpoints by model name.
    """
    cfgs, ckpts = {}, {}
    for i, name in enumerate(params.models):
        model = MODELS[canonical(name)]
        say(f'2/5 model {i + 1}/{len(params.models)}: {model.label}')
        cfg = job_config(config_path(model), params.data_root, params.seed,
                         osp.join(params.work_dir, name),
                         model.epochs or params.epochs)
        if model.warm_from:  # starts from this job's model of that name
            cfg.model.init_cfg.checkpoint = ckpts[model.warm_from]
            cfg.warm_start_stamp = stamp(cfgs[model.warm_from], manifest)
        ckpts[name], _ = train_or_reuse(model.label, cfg, manifest,
                                        params.retrain)
        cfgs[name] = cfg
    return cfgs, ckpts


def detector_stage(params, manifest, cfgs, ckpts, results):
    """Steps 4-5: the detector, then detector + ByteTrack + TDMI (and the
    single-frame pipeline) on every validation video, into ``results``;
    the annotated clip's path."""
    say(f'4/5 {DETECTOR.label}')
    det_work = osp.join(params.work_dir, 'detector')
    det_cfg = job_config(config_path(DETECTOR), params.data_root, params.seed,
                         det_work, 1 if params.quick else None)
    det_ckpt, _ = train_or_reuse(DETECTOR.label, det_cfg, manifest,
                                 params.retrain)
    box_ap = evaluate_detector(det_cfg, det_ckpt)
    say(f'{DETECTOR.label}: bbox AP {100 * box_ap["bbox_mAP"]:.1f}, AP50 '
        f'{100 * box_ap["bbox_mAP_50"]:.1f}')
    say('5/5 detector + ByteTrack + TDMI on every validation video (the '
        'video inferencer)')
    det_cfg_file = osp.join(det_work, osp.basename(DETECTOR.config))
    det_cfg.dump(det_cfg_file)
    mAP, fps, clip = evaluate_video_pipeline(
        cfgs['tdmi'], ckpts['tdmi'], det_cfg_file, det_ckpt, params.data_root,
        params.work_dir)
    results['tdmi-detected'] = dict(
        label='TDMI, detected boxes', mAP=mAP, frames_per_second=fps,
        detector=dict(config=osp.join('configs', DETECTOR.config),
                      bbox_AP=box_ap))
    if 'single-frame' in ckpts:
        mAP, fps = evaluate_single_frame_pipeline(
            cfgs['single-frame'], ckpts['single-frame'], det_cfg_file,
            det_ckpt, params.data_root)
        results['single-frame-detected'] = dict(
            label='mmpose single-frame HRNet, detected boxes', mAP=mAP,
            frames_per_second=fps)
    return clip


def run(params):
    """The main job on the parameters ``tools/main_job.py`` built
    (:class:`.params.ExperimentParams`): ``work_dir``, ``data_root``,
    ``data_seed``, ``seed``, ``epochs``, ``retrain``, ``models``,
    ``no_video``, ``no_detector``, ``quick``.

    Returns:
        dict: what it writes to ``WORK_DIR/results.json``.
    """
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    t_start = time.time()
    os.makedirs(params.work_dir, exist_ok=True)
    say('1/5 built-in videos')
    manifest = generate_synthetic_videos(
        params.data_root, seed=params.data_seed, logger=say,
        **(QUICK if params.quick else {}))
    cfgs, ckpts = train_models(params, manifest)
    results = {}
    for name in params.models:
        model = MODELS[canonical(name)]
        say(f'3/5 evaluating {model.label}')
        results[name] = dict(label=model.label,
                             config=osp.join('configs', model.config),
                             mAP=evaluate(cfgs[name], ckpts[name]))
    tracked_clip = None
    if 'tdmi' in ckpts and not params.no_detector:
        tracked_clip = detector_stage(params, manifest, cfgs, ckpts, results)
    splits = manifest['splits']
    meta = (f'PoseTrack mAP (PCKh@0.5, ground-truth boxes unless said) on '
            f'the built-in validation videos: '
            f'{splits["val"]["labelled_frames"]} '
            f'labelled frames, {splits["val"]["degraded_frames"]} of them '
            f'degraded; {splits["train"]["people"]} training people; '
            f'training seed {params.seed}, data seed {params.data_seed}, '
            f'{cfgs[params.models[0]].train_cfg.max_epochs} epochs; '
            f'{time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    text, md = format_tables(results, meta)
    out = dict(results=results, meta=meta, seed=params.seed, data=manifest)
    write_json(osp.join(params.work_dir, 'results.json'), out)
    with open(osp.join(params.work_dir, 'results.md'), 'w') as f:
        f.write(md)
    say(f'results ({meta})\n{text}')
    say(f'figure: {osp.relpath(results_figure(results, params))}')
    if not params.no_video and {'single-frame', 'tdmi'} <= set(ckpts):
        video = osp.join(params.work_dir, 'side_by_side.mp4')
        say('rendering the single-frame model and TDMI side by side')
        render_side_by_side(cfgs, ckpts, params.data_root, video)
        say(f'video: {osp.relpath(video)}')
    if tracked_clip:
        single = results.get('single-frame-detected')
        say(f'detector + ByteTrack + TDMI: {tracked_clip} '
            f'({results["tdmi-detected"]["frames_per_second"]:.1f} frames/s '
            'on the validation videos' + (
            f'; mmpose\'s single-frame pipeline with the same detector: '
            f'{single["frames_per_second"]:.1f} frames/s'
            if single else '') + ')')
    say(f'done in {time.time() - t_start:.0f} s; tables in '
        f'{osp.relpath(params.work_dir)}/results.{{json,md}}')
    return out

