"""PoseTrack18-format prediction files with track ids, written from the
video pipeline's results and read and checked against their ground truth,
as the official evaluation takes them: one file per video, the ground
truth's frames, per person ``track_id``, ``keypoints`` ``[x, y, s] * K``
and optionally ``scores`` ``[s] * K``."""
import json
import os
import os.path as osp

import numpy as np

from ...utils.files import read_json

MAX_TRACK_ID = 10000  # poseval's bound


def read_predictions(pred_file, gt_data, gt_file):
    """The people of each frame of a prediction file, keyed by the ground
    truth's image id.

    Args:
        pred_file (str): The video's prediction file.
        gt_data (dict): Its ground truth (``images``, ``categories``).
        gt_file (str): How errors name the ground truth.

    Returns:
        dict[int, list[dict]]: per image id, the people (``track_id``,
        ``keypoints`` ``(K, 2)``, ``scores`` ``(K,)``).

    Raises:
        ValueError: the frames differ from the ground truth's (count or
            names), or a person has no, a negative, a non-integer or a too
            large track id, a track id another person of the frame has, or
            a malformed keypoint or score list; the message names the file,
            the frame and the person.
    """
    data = read_json(pred_file, 'prediction file')
    k = len(gt_data['categories'][0]['keypoints'])
    if not isinstance(data, dict) or not isinstance(data.get('images'),
                                                    list):
        raise ValueError(f'{pred_file} has no "images" list: write the '
                         'PoseTrack18 format, the ground truth\'s frames '
                         'with "annotations" per person')
    gt_names = [im['file_name'] for im in gt_data['images']]
    names = [im.get('file_name') for im in data['images']]
    if names != gt_names:
        diff = next((i for i, (a, b) in enumerate(zip(names, gt_names))
                     if a != b), min(len(names), len(gt_names)))
        raise ValueError(
            f'{pred_file} has {len(names)} frames, {gt_file} has '
            f'{len(gt_names)}; they differ from frame {diff} on '
            f'({names[diff] if diff < len(names) else "none"} vs '
            f'{gt_names[diff] if diff < len(gt_names) else "none"}): '
            'write one prediction file per ground-truth video, with all '
            'its frames in its order')
    to_gt = {im['id']: gt['id'] for im, gt in zip(data['images'],
                                                   gt_data['images'])}
    names = {im['id']: im['file_name'] for im in data['images']}
    people = {gt['id']: [] for gt in gt_data['images']}
    for i, ann in enumerate(data.get('annotations', [])):
        image = ann.get('image_id')
        if image not in to_gt:
            raise ValueError(f'{pred_file}: annotation {i} names image '
                             f'{image!r}, which is not in its "images"')
        where = f'{pred_file}, frame {names[image]}, person {i}'
        tid = ann.get('track_id')
        if isinstance(tid, list) and len(tid) == 1:
            tid = tid[0]
        if tid is None:
            raise ValueError(f'{where}: no track_id; every person needs '
                             'one (an integer 0 ... 9999)')
        if isinstance(tid, bool) or not isinstance(tid, int) or not \
                0 <= tid < MAX_TRACK_ID:
            raise ValueError(f'{where}: track_id {tid!r} must be an integer '
                             f'0 ... {MAX_TRACK_ID - 1}')
        values = ann.get('keypoints')
        try:
            kpts = np.asarray(values, dtype=np.float64).reshape(k, 3)
        except (TypeError, ValueError):
            raise ValueError(
                f'{where} (track {tid}): keypoints must be {3 * k} numbers '
                f'(x, y, score for each of the {k} joints), got '
                f'{len(values) if isinstance(values, list) else values!r}'
            ) from None
        scores = ann.get('scores', kpts[:, 2].tolist())
        try:
            scores = np.asarray(scores, dtype=np.float64).reshape(k)
        except (TypeError, ValueError):
            raise ValueError(f'{where} (track {tid}): scores must be {k} '
                             'numbers') from None
        frame = people[to_gt[image]]
        if any(p['track_id'] == tid for p in frame):
            raise ValueError(f'{where}: track_id {tid} is given to two '
                             'people of this frame; ids must be unique '
                             'within a frame')
        frame.append(dict(track_id=tid, keypoints=kpts[:, :2],
                          scores=scores))
    return people


def prediction_file(pred_dir, gt_file):
    """The prediction file of a ground-truth video (same file name), or an
    error naming both."""
    path = osp.join(pred_dir, osp.basename(gt_file))
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'ground-truth video {gt_file} has no prediction file {path}: '
            'write one per video, named as its ground truth')
    return path


def unique_ids(frames_ids):
    """Track ids as a submission needs them: people without one (-1, e.g.
    not yet confirmed by the tracker) get an id of their own (a track of
    one frame)."""
    next_id = max([i for ids in frames_ids for i in ids] + [-1]) + 1
    out = []
    for ids in frames_ids:
        fixed = []
        for i in ids:
            if i < 0:
                i, next_id = next_id, next_id + 1
            fixed.append(int(i))
        out.append(fixed)
    if next_id > MAX_TRACK_ID:
        raise ValueError(f'{next_id} track ids: PoseTrack takes ids below '
                         f'{MAX_TRACK_ID}')
    return out


def write_predictions(path, frames, categories, images=None, video='video',
                      kpt_thr=None):
    """Write a video's people as a PoseTrack18-format prediction file (what
    :func:`read_predictions` and the official evaluation read).

    Args:
        path (str): The JSON file (name it as the video's ground truth).
        frames (list[list[dict]]): Per frame, the people as the video
            inferencer gives them (``keypoints`` ``(K, 2)``,
            ``keypoint_scores``, ``bbox`` xyxy, ``bbox_score``,
            ``track_id``).
        categories (list[dict]): The keypoint category (``keypoints``
            names, ``skeleton``), as the ground truth has it.
        images (list[dict], optional): The ground truth's images of the
            video, in order: their names and ids are used (one per frame).
            Default: ``<video>/<frame:06d>.jpg``, ids from 0.
        video (str): The video's name, without ``images``.
        kpt_thr (float, optional): Joints scoring below it are written as
            absent (0, 0, 0), as tracking submissions leave unsure joints
            out. Default: None (all).
    """
    if images is not None and len(images) != len(frames):
        raise ValueError(f'{path}: {len(frames)} frames of predictions for '
                         f'{len(images)} ground-truth images; give the '
                         'whole video')
    images = images or [dict(id=i, file_name=f'{video}/{i:06d}.jpg',
                             frame_id=i, nframes=len(frames))
                        for i in range(len(frames))]
    ids = unique_ids([[p.get('track_id', -1) for p in f] for f in frames])
    anns = []
    for image, people, frame_ids in zip(images, frames, ids):
        for person, tid in zip(people, frame_ids):
            kpts = np.asarray(person['keypoints'], np.float64)[:, :2]
            scores = np.asarray(person['keypoint_scores'], np.float64)
            keep = np.ones(len(scores), bool) if kpt_thr is None else \
                scores >= kpt_thr
            points = np.concatenate([kpts, scores[:, None]], 1) * keep[:, None]
            x1, y1, x2, y2 = (float(v) for v in np.ravel(person['bbox'])[:4])
            anns.append(dict(
                image_id=image['id'], track_id=tid, category_id=1,
                keypoints=points.round(2).reshape(-1).tolist(),
                scores=(scores * keep).round(4).tolist(),
                bbox=[x1, y1, x2 - x1, y2 - y1],
                bbox_score=float(np.ravel(person.get('bbox_score', 1))[0])))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=categories), f)


def write_video_predictions(path, frames, dataset_meta, gt_file=None,
                            kpt_thr=None):
    """:func:`write_predictions` for a video the pipeline ran on: the
    keypoint category from the model's ``dataset_meta``, or with
    ``gt_file`` (the video's PoseTrack18 ground truth) its category and
    images, so that the file can be evaluated against it."""
    if gt_file:
        gt = read_json(gt_file, 'ground-truth file')
        categories, images = gt['categories'], gt['images']
    else:
        names = dataset_meta['keypoint_id2name']
        skeleton = [[a + 1, b + 1] for a, b in
                    dataset_meta.get('skeleton_links', [])]
        categories = [dict(id=1, name='person', supercategory='person',
                           keypoints=[names[i] for i in sorted(names)],
                           skeleton=skeleton)]
        images = None
    video = osp.splitext(osp.basename(path))[0]
    write_predictions(path, frames, categories, images, video, kpt_thr)
