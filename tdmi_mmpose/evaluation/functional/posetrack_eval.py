"""poseval's evaluation of a folder of PoseTrack18-format predictions:
the multi-person pose AP (:func:`.posetrack_ap.posetrack_ap`), the pose
tracking MOTA (:func:`pose_tracking_mota`) and PoseTrack21's keypoint HOTA
(:func:`keypoint_hota`), per joint."""
import glob
import os.path as osp

import numpy as np

from .keypoint_hota import keypoint_hota
from .posetrack_mota import pose_tracking_mota
from .posetrack_ap import ap_table, posetrack_ap
from .posetrack_files import prediction_file, read_json, read_predictions
from .posetrack_gt import (POSETRACK15, check_ground_truth, inside_any,
                           parse_ground_truth)


def tracking_sequence(gt, images, people, joints):
    """The labelled frames of one video as :mod:`.pose_tracking` takes them.

    Args:
        gt (dict): Per labelled image id, the ground truth of
            :func:`.posetrack_gt.parse_ground_truth` (``joints``, ``visible``,
            ``head_size``, ``track_ids``, ``ignore``).
        images (list[dict]): The video's images, in order.
        people (dict): :func:`read_predictions` of the video.
        joints (array): The evaluated joints (indices).

    Returns:
        list[dict]: the frames, in order, with at least one annotated
        person (poseval drops the others).
    """
    frames = []
    for image in images:
        if image['id'] not in gt:
            continue
        g, preds = gt[image['id']], people[image['id']]
        k = g['visible'].shape[1]
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
            present &= ~inside_any(pr.reshape(-1, 2), g['ignore']).reshape(
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
    """mAP, MOTA and keypoint HOTA of every ground-truth video of ``gt_dir``
    against its prediction file in ``pred_dir``.

    Args:
        gt_dir (str): One PoseTrack18-format JSON per video.
        pred_dir (str): One prediction file per video, same names.
        skip_last (bool): poseval's skip of each video's last labelled
            frame in MOTA. Default: True.
        thr (float): PCKh threshold. Default: 0.5.

    Returns:
        dict: ``map`` (:func:`.posetrack_ap.ap_table`), ``mota``
        (:func:`pose_tracking_mota` on the 15 joints), ``hota``
        (:func:`keypoint_hota`), ``videos``, ``labelled_frames`` (per
        video).
    """
    gt_files = sorted(glob.glob(osp.join(gt_dir, '*.json')))
    if not gt_files:
        raise FileNotFoundError(f'{gt_dir} holds no ground-truth JSON file')
    joints = np.asarray(POSETRACK15)
    frames, predictions, sequences, labelled = {}, {}, [], []
    for video, gt_file in enumerate(gt_files):
        data = read_json(gt_file, 'ground-truth file')
        labelled.append(check_ground_truth(data, gt_file))
        people = read_predictions(prediction_file(pred_dir, gt_file), data,
                                  gt_file)
        gt, _ = parse_ground_truth(data, gt_file)
        k = len(data['categories'][0]['keypoints'])
        for img_id, g in gt.items():  # image ids of two videos may clash
            frames[video, img_id] = g
            predictions[video, img_id] = (
                np.reshape([p['keypoints'] for p in people[img_id]],
                           (-1, k, 2)),
                np.reshape([p['scores'] for p in people[img_id]], (-1, k)))
        sequences.append(tracking_sequence(gt, data['images'], people,
                                           joints))
    if not any(labelled):
        raise ValueError(f'{gt_dir}: no image of any video is labelled '
                         '("is_labeled": true): nothing to evaluate')
    ap, _ = posetrack_ap(frames, predictions, thr)
    mota = pose_tracking_mota(sequences, len(joints), thr, skip_last)
    hota = keypoint_hota(sequences, len(joints))
    return dict(map=ap_table(ap), mota=mota, hota=hota,
                videos=len(gt_files), labelled_frames=labelled)
