"""Checks of person boxes shared by the datasets (detection files) and the
inference APIs (boxes given or detected), and boxes read from a COCO-style
result file."""
import json

import numpy as np

from .files import read_json


def is_number(value):
    """Whether ``value`` read from JSON is a number (not a string, bool or
    null); NaN and infinities count as numbers."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def box_problems(boxes, image_shape, scores=None):
    """Why each ``(x1, y1, x2, y2)`` box is unusable, as three exclusive
    masks, in this order of precedence:

    - ``non_finite``: a coordinate (or its score) is NaN or infinite;
    - ``empty``: no area or inverted (``x2 <= x1`` or ``y2 <= y1``);
    - ``outside``: wholly outside its image (partly outside is usable).

    Args:
        boxes (array): ``(N, 4)`` xyxy.
        image_shape (array-like): ``(H, W, ...)`` of one image for every
            box, or ``(N, 2)``: each box's image ``(H, W)``.
        scores (array, optional): ``(N,)`` box scores, checked for
            finiteness.

    Returns:
        dict[str, np.ndarray]: ``(N,)`` bool masks ``non_finite``,
        ``empty``, ``outside``.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    shape = np.asarray(image_shape, dtype=np.float64)
    h, w = (shape[:, 0], shape[:, 1]) if shape.ndim == 2 else shape[:2]
    with np.errstate(invalid='ignore'):
        finite = np.isfinite(boxes).all(1)
        if scores is not None:
            finite &= np.isfinite(np.asarray(scores, dtype=np.float64))
        empty = finite & ~((boxes[:, 2] > boxes[:, 0])
                           & (boxes[:, 3] > boxes[:, 1]))
        outside = finite & ~empty & (
            (boxes[:, 2] <= 0) | (boxes[:, 3] <= 0) | (boxes[:, 0] >= w) |
            (boxes[:, 1] >= h))
    return dict(non_finite=~finite, empty=empty, outside=outside)


def _number(value):
    """``value`` as a finite float when it is a JSON number, else None
    (strings, booleans, null, NaN and infinities are not numbers here)."""
    return float(value) if is_number(value) and np.isfinite(value) else None


def boxes_file_video(path):
    """``(video name, frame count)`` a boxes file was written for (the
    object form :func:`boxes_to_json` writes for a video), or None for a
    plain list of detections."""
    data = read_json(path)
    if isinstance(data, dict) and 'video' in data:
        return data['video'], data.get('num_frames')
    return None


def check_boxes_video(path, video, num_frames):
    """Refuse a boxes file written for another video.

    Args:
        path (str): The boxes file.
        video (str): The video's file name.
        num_frames (int): Its frame count.

    Raises:
        ValueError: the file names another video or frame count (the
            message names both).
    """
    written = boxes_file_video(path)
    if written is None:
        return
    name, frames = written
    if name != video or (frames is not None and frames != num_frames):
        raise ValueError(
            f'boxes file {path} was written for video {name} ({frames} '
            f'frames), not for {video} ({num_frames} frames): give the '
            'boxes of this video (demo/video_demo.py --save-bboxes writes '
            'them); if it is the same video renamed, change "video" in the '
            'file')


def boxes_from_json(path):
    """Per-frame ``(N, 5)`` boxes (xyxy, score) from a COCO-style result
    JSON (``[{"image_id", "bbox": [x, y, w, h], "score"}]``) whose
    ``image_id`` is the 0-based frame index, or the object
    ``{"video", "num_frames", "detections": [...]}`` that
    :func:`boxes_to_json` writes.

    Every entry is checked: ``image_id`` must be a non-negative integer,
    ``bbox`` four numbers and ``score`` (optional, default 1) a number;
    anything else is an error naming the file, the entry and what to
    write instead.
    """
    dets = read_json(path)
    if isinstance(dets, dict) and 'detections' in dets:
        dets = dets['detections']
    if not isinstance(dets, list):
        raise ValueError(f'{path} must hold a list of detections in the COCO '
                         'result format')
    parsed = []
    for i, d in enumerate(dets):
        where = f'{path}, detection {i}'
        if not isinstance(d, dict) or 'image_id' not in d or 'bbox' not in d:
            raise ValueError(f'{where}: each detection is an object with '
                             '"image_id" (0-based frame index), "bbox" '
                             '[x, y, w, h] and optionally "score"')
        image_id = d['image_id']
        if isinstance(image_id, bool) or not isinstance(
                image_id, int) or image_id < 0:
            raise ValueError(f'{where}: image_id {image_id!r} is not a '
                             '0-based frame index (an integer >= 0: the '
                             "video's first frame is 0)")
        bbox = d['bbox']
        coords = ([_number(v) for v in bbox]
                  if isinstance(bbox, list) else [None])
        if len(coords) != 4 or None in coords:
            raise ValueError(f'{where} (frame {image_id}): bbox {bbox!r} '
                             'must be 4 finite numbers [x, y, w, h] (not '
                             'strings)')
        score = _number(d.get('score', 1.0))
        if score is None:
            raise ValueError(f'{where} (frame {image_id}): score '
                             f'{d["score"]!r} must be a finite number')
        x, y, w, h = coords
        parsed.append((image_id, [x, y, x + w, y + h, score]))
    frames = max((image_id for image_id, _ in parsed), default=-1) + 1
    boxes = [[] for _ in range(frames)]
    for image_id, box in parsed:
        boxes[image_id].append(box)
    return [np.asarray(b, np.float32).reshape(-1, 5) for b in boxes]


def boxes_to_json(frames, path, video=None):
    """Write the people of each frame as the COCO-style result JSON that
    :func:`boxes_from_json` reads (``image_id`` = 0-based frame index,
    ``bbox`` = ``[x, y, w, h]``, ``score``, ``category_id`` 1, and the
    ``track_id`` where a person has one), so that one detector run serves
    many pose runs.

    Args:
        frames (list[list[dict]]): Per frame, the people as the inferencers
            give them (``bbox`` xyxy, ``bbox_score``, ``track_id``).
        path (str): The JSON file.
        video (str, optional): The video's file name: the file is then
            ``{"video", "num_frames", "detections"}``, so that it is not
            used for another video by mistake.
    """
    dets = []
    for index, people in enumerate(frames):
        for person in people:
            x1, y1, x2, y2 = (float(v) for v in np.ravel(person['bbox'])[:4])
            det = dict(image_id=index, category_id=1,
                       bbox=[x1, y1, x2 - x1, y2 - y1],
                       score=float(np.ravel(person.get('bbox_score',
                                                        1.0))[0]))
            if 'track_id' in person:
                det['track_id'] = int(person['track_id'])
            dets.append(det)
    data = dets if video is None else dict(
        video=video, num_frames=len(frames), detections=dets)
    with open(path, 'w') as f:
        json.dump(data, f)
