"""Smoothing along tracks on the built-in videos (``tools/analysis/
smoothing.py``): for each training seed of the ablation tool's TDMI and
single-frame model, the video pipeline runs on every validation video
with the ground-truth boxes (an unlabelled frame holds those of the
labelled frame before it) and ByteTrack, no flip test; each track's
keypoints are then smoothed online (:class:`TrackSmoother`, frame by
frame in order: exactly what the inferencer's ``smoother`` does) with each
filter. Measured: the mAP, and the jitter: the mean distance between the
predicted and the true acceleration ``x(t+2) - 2 x(t) + x(t-2)`` of a
person's joint over consecutive labelled frames (in head sizes, joints
annotated in all three), paired by seed against no smoothing."""
import os.path as osp

import numpy as np

from .jobs import comparison_results, measure_per_seed
from .models import config_path, tracker
from .pose_tracking import POSE_MODELS, bytetrack_ids
from .stats import paired_fields
from .video_eval import held_gt_boxes, val_videos

FILTERS = ('none', 'one_euro', 'savgol', 'gaussian')
LABELS = {'none': 'no smoothing', 'one_euro': 'One-Euro',
          'savgol': 'Savitzky-Golay', 'gaussian': 'Gaussian (causal)'}


def run_poses(model, config, ckpt, data_root):
    """Per video, per frame: the people with their ByteTrack ids, on the
    held ground-truth boxes."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.people import GivenBoxesInferencer
    boxes = held_gt_boxes(data_root)
    videos, _ = val_videos(data_root)
    if model == 'tdmi':
        inf = VideoPoseInferencer(config, ckpt, device='cpu',
                                  tracker=tracker(), flip_test=False,
                                  det_model='whole_image')
    else:
        from mmengine.registry import DefaultScope
        with DefaultScope.overwrite_default_scope('mmpose'):
            inf = GivenBoxesInferencer(config, ckpt, device='cpu',
                                       det_model='whole_image')
        inf.model.test_cfg = dict(inf.model.test_cfg, flip_test=False)
    out = {}
    for video, images in videos.items():
        paths = [osp.join(data_root, im['file_name']) for im in images]
        frames = [r['predictions'][0]
                  for r in inf(paths, bboxes=boxes[video])]
        if model != 'tdmi':  # ByteTrack on the same boxes
            for people, ids in zip(frames, bytetrack_ids(frames)):
                for p, tid in zip(people, ids):
                    p['track_id'] = tid
        out[video] = frames
    return out


def smoothed(poses, kind):
    """The poses with each track's keypoints smoothed online by ``kind``."""
    from tdmi_mmpose.apis.inferencers.utils.smoothing import TrackSmoother
    if kind == 'none':
        return poses
    out = {}
    for video, frames in poses.items():
        smoother, new = TrackSmoother(kind), []
        for people in frames:
            kpts = np.asarray([p['keypoints'] for p in people],
                              np.float64).reshape(len(people), -1, 2)
            kpts = smoother(kpts, [p.get('track_id', -1) for p in people])
            new.append([dict(p, keypoints=k) for p, k in zip(people, kpts)])
        out[video] = new
    return out


def measure(poses, data_root):
    """mAP and jitter (see the module) of one run."""
    from tdmi_mmpose.evaluation import PoseTrackMAPMetric
    videos, data = val_videos(data_root)
    ann = osp.join(data_root, 'annotations', 'synthetic_val.json')
    by_image = {}
    for a in data['annotations']:
        by_image.setdefault(a['image_id'], []).append(a)
    entries, errors = [], []
    for video, images in videos.items():
        track = {}  # GT track id -> [(frame, predicted, true, visible)]
        for t, (im, people) in enumerate(zip(images, poses[video])):
            entries += [dict(img_id=im['id'],
                             keypoints=np.asarray(p['keypoints'], np.float64),
                             scores=np.asarray(p['keypoint_scores']))
                        for p in people]
            for a in by_image.get(im['id'], []):
                x, y, w, h = a['bbox']
                match = [p for p in people if np.abs(np.ravel(
                    p['bbox'])[:4] - [x, y, x + w, y + h]).max() < 1e-2]
                if match:
                    k = np.asarray(a['keypoints'], np.float64).reshape(-1, 3)
                    head = 0.6 * np.hypot(*a['bbox_head'][2:])
                    track.setdefault(a['track_id'], {})[t] = (
                        np.asarray(match[0]['keypoints']) / head,
                        k[:, :2] / head, k[:, 2] > 0)
        for frames in track.values():
            for t in frames:
                if t - 2 in frames and t + 2 in frames:
                    (p0, g0, v0), (p1, g1, v1), (p2, g2, v2) = (
                        frames[t - 2], frames[t], frames[t + 2])
                    vis = v0 & v1 & v2
                    acc = (p2 - 2 * p1 + p0) - (g2 - 2 * g1 + g0)
                    errors += np.linalg.norm(acc[vis], axis=-1).tolist()
    ap = PoseTrackMAPMetric(ann).compute_metrics(entries)['Mean']
    return dict(mAP=ap, jitter=float(np.mean(errors)) if errors else
                float('nan'))


def run(params):
    """The comparison on the parameters ``tools/analysis/smoothing.py``
    built (:class:`.params.ExperimentParams`).

    Returns:
        dict: what it writes to ``WORK_DIR/smoothing.json``.
    """
    def measure_model(model, ckpt):
        poses = run_poses(model, config_path(model), ckpt, params.data_root)
        return {kind: measure(smoothed(poses, kind), params.data_root)
                for kind in FILTERS}

    record = measure_per_seed(params, 'smoothing', POSE_MODELS, LABELS,
                              measure_model, 'jitter', digits=3)
    stats = paired_fields(
        record, [f'{m}/{f}' for m in POSE_MODELS for f in FILTERS],
        lambda key: key.split('/')[0] + '/none', ('mAP', 'jitter'),
        list(range(params.seeds)))
    return comparison_results(params, 'smoothing', stats, markdown)


def markdown(results):
    """The table of a comparison's results."""
    from .stats import fmt, fmt_diff
    lines = ['| poses | smoothing | mAP | mAP − none | jitter (head sizes) '
             '| jitter − none |', '|---|---|---:|---:|---:|---:|']
    for key, entry in results['stats'].items():
        model, kind = key.split('/')
        jit = entry['jitter']
        lines.append(
            f'| {POSE_MODELS[model]} | {LABELS[kind]} | {fmt(entry["mAP"])} '
            f'| {fmt_diff(entry["mAP"].get("minus_reference"))} | '
            f'{jit["mean"]:.3f} ± {jit["std"]:.3f} | '
            f'{fmt_diff(jit.get("minus_reference"), 3)} |')
    return '\n'.join(lines)
