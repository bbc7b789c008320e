"""poseval's evaluation of a folder of PoseTrack18-format predictions:
the multi-person pose AP (:class:`PoseTrackMAPMetric`), the pose tracking
MOTA (:func:`pose_tracking_mota`) and PoseTrack21's keypoint HOTA
(:func:`keypoint_hota`), per joint."""
import glob
import json
import os.path as osp
import tempfile

import numpy as np

from .pose_tracking import keypoint_hota, pose_tracking_mota
from .posetrack_files import (check_ground_truth, prediction_file,
                              read_json, read_predictions)


def tracking_sequence(gt, images, people, joints):
    """The labelled frames of one video as :mod:`.pose_tracking` takes them.

    Args:
        gt (dict): Per labelled image id, the ground truth parsed by
            :class:`PoseTrackMAPMetric` (``joints``, ``visible``,
            ``head_size``, ``track_ids``, ``ignore``).
        images (list[dict]): The video's images, in order.
        people (dict): :func:`read_predictions` of the video.
        joints (array): The evaluated joints (indices).

    Returns:
        list[dict]: the frames, in order, with at least one annotated
        person (poseval drops the others).
    """
    from ..metrics.posetrack_map import _inside_any
    frames = []
    for image in images:
        if image['id'] not in gt:
            continue
        g, preds = gt[image['id']], people[image['id']]
        k = len(g['visible'][0])
        pr = np.asarray([p['keypoints'] for p in preds],
                        np.float64).reshape(-1, k, 2)
        scores = np.asarray([p.get('scores', np.ones(k)) for p in preds],
                            np.float64).reshape(-1, k)
        # poseval's tracking: a joint is absent when x = y = score = 0 (a
        # joint at (0, 0) with a score is a false positive there), or not
        # finite
        present = np.isfinite(pr).all(-1) & (np.any(pr != 0, axis=-1) |
                                             (scores != 0))
        pr = np.where(present[..., None], pr, 0)[:, joints]
        present = present[:, joints]
        if g['ignore'] and len(preds):
            present &= ~_inside_any(pr.reshape(-1, 2), g['ignore']).reshape(
                present.shape)
        # people without a joint stay, as in poseval: a frame with people
        # but no joint counts misses, not poseval's dummy of a frame
        # without predictions
        frames.append(dict(
            gt_ids=g['track_ids'], gt_joints=g['joints'][:, joints],
            gt_visible=g['visible'][:, joints], head_size=g['head_size'],
            pr_ids=np.asarray([p['track_id'] for p in preds]),
            pr_joints=pr, pr_present=present))
    return frames


def evaluate_folder(gt_dir, pred_dir, skip_last=True, thr=0.5):
    """mAP and MOTA of every ground-truth video of ``gt_dir`` against its
    prediction file in ``pred_dir``.

    Args:
        gt_dir (str): One PoseTrack18-format JSON per video.
        pred_dir (str): One prediction file per video, same names.
        skip_last (bool): poseval's skip of each video's last labelled
            frame in MOTA. Default: True.
        thr (float): PCKh threshold. Default: 0.5.

    Returns:
        dict: ``map`` (the table rows of :class:`PoseTrackMAPMetric`),
        ``mota`` (:func:`pose_tracking_mota` on the 15 joints), ``hota``
        (:func:`keypoint_hota`), ``videos``.
    """
    from mmengine.logging import MMLogger

    from ..metrics.posetrack_map import POSETRACK15, PoseTrackMAPMetric
    gt_files = sorted(glob.glob(osp.join(gt_dir, '*.json')))
    if not gt_files:
        raise FileNotFoundError(f'{gt_dir} holds no ground-truth JSON file')
    pairs = [(f, prediction_file(pred_dir, f)) for f in gt_files]
    merged = dict(images=[], annotations=[], categories=None)
    results, sequences = [], []
    joints = np.asarray(POSETRACK15)
    labelled = []
    for gt_file, pred_file in pairs:
        data = read_json(gt_file, 'ground-truth file')
        labelled.append(check_ground_truth(data, gt_file))
        merged['images'] += data['images']
        merged['annotations'] += data['annotations']
        merged['categories'] = merged['categories'] or data['categories']
        people = read_predictions(pred_file, data, gt_file)
        for img_id, frame in people.items():
            results += [dict(img_id=img_id, keypoints=p['keypoints'],
                             scores=p['scores']) for p in frame]
        metric = PoseTrackMAPMetric(gt_file, pckh_thr=thr)  # checks it
        sequences.append(tracking_sequence(metric.frames, data['images'],
                                           people, joints))
    if not any(labelled):
        raise ValueError(f'{gt_dir}: no image of any video is labelled '
                         '("is_labeled": true): nothing to evaluate')
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'gt.json')
        with open(path, 'w') as f:
            json.dump(merged, f)
        metric = PoseTrackMAPMetric(path, pckh_thr=thr)
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # the tool prints its own table
        try:
            ap = metric.compute_metrics(results)
        finally:
            logger.setLevel(level)
    mota = pose_tracking_mota(sequences, len(joints), thr, skip_last)
    hota = keypoint_hota(sequences, len(joints))
    return dict(map=ap, mota=mota, hota=hota, videos=len(pairs),
                labelled_frames=labelled)


def group_means(values):
    """Per joint values of the 15 PoseTrack joints as the paper's rows
    (Head, Shoulder, ... Ankle) and ``Total`` (their mean, NaN skipped)."""
    from ..metrics.posetrack_map import JOINT_GROUPS, POSETRACK15
    where = {k: i for i, k in enumerate(POSETRACK15)}
    rows = {name: float(np.mean([values[where[k]] for k in idx]))
            for name, idx in JOINT_GROUPS}
    rows['Total'] = float(np.nanmean(values)) if np.any(
        ~np.isnan(values)) else float('nan')
    return rows

