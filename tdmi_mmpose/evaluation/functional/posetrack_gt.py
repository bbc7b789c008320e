"""PoseTrack18-format ground truth as poseval reads it: the labelled frames,
their people's joints, head sizes and track ids, and the ignore regions."""
from collections import defaultdict

import numpy as np
import shapely

from ...utils.files import read_json

# The 15 official PoseTrack joints as indices into the 17-joint PoseTrack18
# layout (the unannotated ears are dropped; head_bottom is the neck).
POSETRACK15 = (0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)
# Table rows of the paper (Table 1-3), as 17-joint indices.
JOINT_GROUPS = (('Head', (0, 1, 2)), ('Shoulder', (5, 6)), ('Elbow', (7, 8)),
                ('Wrist', (9, 10)), ('Hip', (11, 12)), ('Knee', (13, 14)),
                ('Ankle', (15, 16)))


def inside_any(points, polygons):
    """``(N,)`` bool: which ``(N, 2)`` points lie strictly inside one of the
    polygons (shapely's ``contains``, as poseval: the boundary is
    outside)."""
    inside = np.zeros(len(points), dtype=bool)
    for poly in polygons:
        if len(poly) >= 3:
            inside |= shapely.contains_xy(shapely.Polygon(poly),
                                          points[:, 0], points[:, 1])
    return inside


def group_means(values, total='Total'):
    """Per-joint values of the 15 PoseTrack joints as the paper's rows
    (Head, Shoulder, ... Ankle: a row is NaN if one of its joints is) and
    ``total``, their mean with NaN skipped (NaN if all are)."""
    values = np.asarray(values, dtype=np.float64)
    where = {k: i for i, k in enumerate(POSETRACK15)}
    rows = {name: float(np.mean([values[where[k]] for k in idx]))
            for name, idx in JOINT_GROUPS}
    rows[total] = float(np.nanmean(values)) if np.any(
        ~np.isnan(values)) else float('nan')
    return rows


def check_ground_truth(data, path):
    """Refuse a ground-truth file whose structure would give empty scores
    without a word: it must be an object with ``images`` (a list of
    objects with ``id``), ``annotations`` (a list of objects) and
    ``categories``.

    Returns:
        int: the number of labelled images (``is_labeled``).
    """
    if not isinstance(data, dict):
        raise ValueError(f'ground-truth file {path} holds a '
                         f'{type(data).__name__}, not a PoseTrack18 object '
                         '{"images", "annotations", "categories"}')
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise ValueError(f'ground-truth file {path} has no "{key}" '
                             f'(its keys: {", ".join(sorted(data))}); give '
                             'a PoseTrack18-format file')
        if not isinstance(data[key], list) or not all(
                isinstance(x, dict) for x in data[key]):
            raise ValueError(f'ground-truth file {path}: "{key}" must be a '
                             f'list of objects, not a '
                             f'{type(data[key]).__name__}')
    for i, image in enumerate(data['images']):
        if 'id' not in image:
            raise ValueError(f'ground-truth file {path}: image {i} '
                             f'({image.get("file_name", "no file_name")}) '
                             'has no "id"')
    return sum(bool(im.get('is_labeled')) for im in data['images'])


def load_ground_truth(ann_file):
    """Read a PoseTrack18-format annotation file and parse it
    (:func:`parse_ground_truth`).

    Returns:
        tuple: ``(data, frames, nan_joints)``: the file's content and what
        :func:`parse_ground_truth` returns.
    """
    data = read_json(ann_file,
                     hint='give the PoseTrack18-format annotation file')
    return (data, *parse_ground_truth(data, ann_file))


def _person(ann, k, where):
    """One annotation's ``(K, 3)`` keypoints, ``(K,)`` annotated mask and
    ``(K,)`` mask of labelled joints without finite coordinates.

    A joint is annotated unless it is ``(0, 0, 0)``, as poseval converts
    PoseTrack18 files: a joint with visibility 0 but coordinates counts. A
    person without keypoints (a box-only person, as in PoseTrack21) has no
    annotated joint."""
    values = ann.get('keypoints') or []
    if len(values) not in (0, 3 * k):
        raise ValueError(
            f'{where}: annotation {ann.get("id")} has {len(values)} keypoint '
            f'values; the file defines {k} joints, so give {3 * k} (x, y, '
            'visibility per joint)')
    kpts = np.asarray(values, dtype=np.float64).reshape(-1, 3)
    if len(kpts) == 0:  # a box-only person
        return np.zeros((k, 3)), np.zeros(k, bool), np.zeros(k, bool)
    # a joint without finite coordinates: not annotated (said when labelled)
    finite = np.isfinite(kpts[:, :2]).all(1)
    bad = (kpts[:, 2] > 0) & ~finite
    kpts[~finite] = 0
    annotated = finite & np.any(kpts != 0, axis=1)
    return kpts, annotated, bad


def parse_ground_truth(data, source):
    """The labelled frames of PoseTrack18-format ground truth, as poseval
    takes them.

    As poseval: a frame is evaluated when it is labelled (``is_labeled``,
    else: it has annotations) and has at least one annotated person, box-only
    people (no annotated joint) included: they match no prediction but keep
    their frame, so that predictions there are false positives. Joints
    strictly inside an ignore region do not count, and in a frame with
    ignore regions the people left without joints are dropped (the frame
    stays, possibly without people).

    Args:
        data (dict): The file's content (``images``, ``annotations``,
            ``categories``).
        source (str): The file's name, for the errors.

    Returns:
        tuple: ``(frames, nan_joints)``: per image id a dict with
        ``joints (G, K, 2)``, ``visible (G, K)`` bool (annotated),
        ``head_size (G,)`` (0.6 x the head box's diagonal; NaN for a person
        without joints or head box), ``track_ids (G,)`` (-1 where none
        is given) and ``ignore`` (a list of ``(N, 2)`` polygons); and
        ``(count, first)`` of labelled joints without finite coordinates
        (they count as not annotated).

    Raises:
        ValueError, KeyError: naming the file, image and annotation of a
            wrong keypoint count, a missing or empty head box of a person
            with joints, or ignore-region lists that do not pair up.
    """
    people = defaultdict(list)
    for ann in data['annotations']:
        people[ann['image_id']].append(ann)
    k = len(data['categories'][0]['keypoints'])
    frames = {}
    nan_joints, first_nan = 0, None
    for img_id, img in ((img['id'], img) for img in data['images']):
        if not img.get('is_labeled', img_id in people):
            continue
        where = f'{source}, image {img_id} ({img.get("file_name")})'
        joints, visible, head, track_ids = [], [], [], []
        for ann in people[img_id]:
            kpts, annotated, bad = _person(ann, k, where)
            if bad.any():
                nan_joints += int(bad.sum())
                first_nan = first_nan or (
                    f'{where}, annotation {ann.get("id")}, joint '
                    f'{int(np.argmax(bad))}')
            box = ann.get('bbox_head')
            if not annotated.any():  # box-only: matches nothing
                size = 0.6 * np.hypot(box[2], box[3]) if box and len(
                    box) == 4 and box[2] > 0 and box[3] > 0 else np.nan
            elif box is None:
                raise KeyError(
                    f'{where}: annotation {ann.get("id")} has joints but no '
                    'bbox_head, which PCKh needs; add the head box '
                    '[x, y, w, h]')
            elif len(box) != 4 or box[2] <= 0 or box[3] <= 0:
                raise ValueError(
                    f'{where}: annotation {ann.get("id")} has the empty head '
                    f'box {box}: no prediction could match it; fix bbox_head '
                    '[x, y, w, h] or drop its joints')
            else:
                size = 0.6 * np.hypot(box[2], box[3])
            joints.append(kpts[:, :2])
            track_ids.append(ann.get('track_id', -1))
            visible.append(annotated)
            head.append(size)
        if not joints:
            continue  # poseval drops frames without annotated people
        frames[img_id] = _with_ignore_regions(img, where, joints, visible,
                                              head, track_ids, k)
    return frames, (nan_joints, first_nan)


def _with_ignore_regions(img, where, joints, visible, head, track_ids, k):
    """A frame's arrays with the joints inside its ignore regions (and, in
    a frame that has regions, the people left without joints) removed, as
    poseval does."""
    xs = img.get('ignore_regions_x', [])
    ys = img.get('ignore_regions_y', [])
    if len(xs) != len(ys) or any(len(x) != len(y) for x, y in zip(xs, ys)):
        raise ValueError(
            f'{where}: ignore_regions_x and ignore_regions_y do not pair up '
            f'({[len(x) for x in xs]} vs {[len(y) for y in ys]} points); '
            'give both, one x and one y list per region')
    polys = [np.stack([x, y], axis=1).astype(np.float64)
             for x, y in zip(xs, ys)]
    joints = np.asarray(joints, dtype=np.float64)
    visible = np.asarray(visible, dtype=bool)
    keep = np.ones(len(joints), bool)
    if polys:
        visible &= ~inside_any(joints.reshape(-1, 2),
                               polys).reshape(visible.shape)
        keep = visible.any(-1)
    return dict(joints=joints[keep].reshape(-1, k, 2),
                visible=visible[keep].reshape(-1, k),
                head_size=np.asarray(head, dtype=np.float64)[keep],
                track_ids=np.asarray(track_ids)[keep], ignore=polys)
