"""Pose tracking on the built-in videos, measured as PoseTrack measures it
(``tools/analysis/tracking.py``): for each training seed of the ablation
tool's single-frame model and TDMI, the video pipeline runs with the main
job's detector on every validation video (no flip test: the fast video
setting), and its poses are given track ids three ways: mmdet's ByteTrack
on the detector's boxes (the video inferencer's default), and mmpose's
greedy IoU and OKS matching of consecutive frames (what mmpose 1.x offers,
in its 3D inferencer). MOTA, MOTP and identity switches per ground-truth
track (poseval's definition, :class:`PoseTrackMOTAMetric`), PoseTrack21's
keypoint HOTA (:class:`PoseTrackHOTAMetric`; keypoints
below ``KPT_THR`` left out, as submissions do), with the mAP of the same
poses, paired by seed against TDMI with ByteTrack."""
import os.path as osp

import numpy as np

from .jobs import comparison_results, main_job_detector, measure_per_seed
from .models import BBOX_THR, config_path, tracker
from .progress import log
from .stats import paired_fields
from .video_eval import val_videos

TRACKERS = {'bytetrack': 'ByteTrack', 'iou': "mmpose's greedy IoU",
            'oks': "mmpose's greedy OKS"}
POSE_MODELS = {'single-frame': 'mmpose single-frame HRNet',
               'tdmi': 'TDMI'}
REFERENCE = 'tdmi/bytetrack'
KPT_THR = 0.3  # predicted joints below this score are left out of MOTA
FIELDS = ('MOTA', 'HOTA', 'MOTP', 'switches_per_track', 'mAP')


def pipeline_label(key):
    model, track = key.split('/')
    return f'{POSE_MODELS[model]} + {TRACKERS[track]}'


def run_poses(model, config, ckpt, det, data_root):
    """Per video, per frame, the people the pipeline of ``model`` gives
    (``keypoints``, ``keypoint_scores``, ``bbox``, ``bbox_score``, and for
    TDMI the ByteTrack ``track_id`` of the video inferencer)."""
    from mmengine.registry import DefaultScope
    videos, _ = val_videos(data_root)
    if model == 'tdmi':
        from tdmi_mmpose.apis import VideoPoseInferencer
        inf = VideoPoseInferencer(config, ckpt, device='cpu',
                                  tracker=tracker(), flip_test=False, **det)
    else:
        from mmpose.apis.inferencers import Pose2DInferencer
        with DefaultScope.overwrite_default_scope('mmpose'):
            inf = Pose2DInferencer(config, ckpt, device='cpu', **det)
        inf.model.test_cfg = dict(inf.model.test_cfg, flip_test=False)
    out = {}
    for video, images in videos.items():
        paths = [osp.join(data_root, im['file_name']) for im in images]
        out[video] = [r['predictions'][0]
                      for r in inf(paths, bbox_thr=BBOX_THR)]
    return out


def bytetrack_ids(frames):
    """ByteTrack (the video inferencer's, on the people's boxes) ids of each
    frame's people; people it does not report get -1."""
    from tdmi_mmpose.apis.inferencers.utils.person_tracker import PersonTracker
    tracks = PersonTracker(tracker())
    return [tracks.ids(np.asarray(
        [[*np.ravel(p['bbox'])[:4], float(np.ravel(p['bbox_score'])[0])]
         for p in people], np.float32).reshape(-1, 5), index).tolist()
        for index, people in enumerate(frames)]


def measure(poses, ids, data_root, sigmas):
    """MOTA, MOTP, switches per ground-truth track and mAP of one run."""
    from tdmi_mmpose.evaluation import (PoseTrackHOTAMetric,
                                        PoseTrackMAPMetric,
                                        PoseTrackMOTAMetric)
    videos, data = val_videos(data_root)
    ann = osp.join(data_root, 'annotations', 'synthetic_val.json')
    mota = PoseTrackMOTAMetric(ann, kpt_thr=KPT_THR)
    entries = []
    for video, images in videos.items():
        for im, people, frame_ids in zip(images, poses[video], ids[video]):
            k = len(data['categories'][0]['keypoints'])
            mota.process({}, [dict(img_id=im['id'], pred_instances=dict(
                keypoints=np.asarray([p['keypoints'] for p in people],
                                     np.float64).reshape(len(people), k, 2),
                keypoint_scores=np.asarray(
                    [p['keypoint_scores'] for p in people],
                    np.float64).reshape(len(people), k),
                track_ids=np.asarray(frame_ids)))])
            entries += [dict(img_id=im['id'],
                             keypoints=np.asarray(p['keypoints'], np.float64),
                             scores=np.asarray(p['keypoint_scores']) *
                             float(np.ravel(p['bbox_score'])[0]))
                        for p in people]
    m = mota.compute_metrics(mota.results)
    hota = PoseTrackHOTAMetric(ann, kpt_thr=KPT_THR)
    h = hota.compute_metrics(mota.results)
    video_of = {im['id']: im['vid_id'] for im in data['images']}
    tracks = len({(video_of[a['image_id']], a['track_id'])
                  for a in data['annotations']})
    ap = PoseTrackMAPMetric(ann).compute_metrics(entries)['Mean']
    return dict(MOTA=m['MOTA'], HOTA=h['HOTA'], MOTP=m['MOTP'],
                switches_per_track=m['Switches'] / 15 / tracks, mAP=ap)


def run(params):
    """The comparison on the parameters ``tools/analysis/tracking.py``
    built (:class:`.params.ExperimentParams`).

    Returns:
        dict: what it writes to ``WORK_DIR/tracking.json`` (and
        ``tracking.png``).
    """
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    from tdmi_mmpose.apis.inferencers.utils.person_tracker import greedy_track
    from tdmi_mmpose.evaluation.functional import unique_ids
    det = main_job_detector(params.job)
    sigmas = parse_pose_metainfo(dict(
        from_file='configs/_base_/datasets/posetrack18.py'))['sigmas']

    def measure_model(model, ckpt):
        poses = run_poses(model, config_path(model), ckpt, det,
                          params.data_root)
        results = {}
        for track in TRACKERS:
            ids = {}
            for video, frames in poses.items():
                if track == 'bytetrack':
                    found = ([[p['track_id'] for p in f] for f in frames]
                             if model == 'tdmi' else bytetrack_ids(frames))
                else:
                    found = greedy_track(frames, track, sigmas=sigmas)
                ids[video] = unique_ids(found)
            results[track] = measure(poses, ids, params.data_root, sigmas)
        return results

    record = measure_per_seed(params, 'tracking', POSE_MODELS, TRACKERS,
                              measure_model, 'MOTA')
    stats = paired_fields(
        record, [f'{m}/{t}' for m in POSE_MODELS for t in TRACKERS],
        lambda key: REFERENCE, FIELDS, list(range(params.seeds)))
    out = comparison_results(params, 'tracking', stats, markdown)
    png = draw(out, osp.join(params.work_dir, 'tracking.png'), out['caption'])
    log('tracking', f'figure: {png}')
    return out


def markdown(results):
    """The table of a comparison's results."""
    from .stats import fmt, fmt_diff
    lines = ['| pipeline | MOTA | MOTA − TDMI + ByteTrack | keypoint HOTA | '
             'HOTA − TDMI + ByteTrack | MOTP | identity switches per track '
             '| mAP |', '|---|---:|---:|---:|---:|---:|---:|---:|']
    for key, entry in results['stats'].items():
        lines.append(
            f'| {pipeline_label(key)} | {fmt(entry["MOTA"])} | '
            f'{fmt_diff(entry["MOTA"].get("minus_reference"))} | '
            f'{fmt(entry["HOTA"])} | '
            f'{fmt_diff(entry["HOTA"].get("minus_reference"))} | '
            f'{entry["MOTP"]["mean"]:.1f} | '
            f'{entry["switches_per_track"]["mean"]:.2f} | '
            f'{entry["mAP"]["mean"]:.1f} |')
    return '\n'.join(lines)


def draw(results, out, caption=None):
    """MOTA of each pipeline with its 95% interval (the figure of the
    Pose tracking guide)."""
    from . import figures
    return figures.interval_figure(
        [(pipeline_label(k), e['MOTA']) for k, e in
         results['stats'].items()], 'PoseTrack MOTA (15 joints)',
        f'pose tracking on the built-in videos, K = {results["seeds"]}',
        out, caption)
