"""The PoseTrack18 (COCO-style) layout every dataset of this project is
read in, written in one place: its joints and skeleton, a frame
(:func:`posetrack_frame`), a person (:func:`posetrack_person`) and a file
(:func:`write_coco`). The PoseTrack17 and HiEve converters and the built-in
videos write through it."""
import json
import os.path as osp

from PIL import Image

# PoseTrack18 keypoint order (17 joints; the ears are never annotated).
KEYPOINTS = [
    'nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle'
]
SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12],
            [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
            [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]
CATEGORIES = [dict(supercategory='person', id=1, name='person',
                   keypoints=KEYPOINTS, skeleton=SKELETON)]
# The 15 PoseTrack17/MPII joint ids -> index in KEYPOINTS.
POSETRACK15_TO_17 = {0: 16, 1: 14, 2: 12, 3: 11, 4: 13, 5: 15, 6: 10,
                     7: 8, 8: 6, 9: 5, 10: 7, 11: 9, 12: 1, 13: 0, 14: 2}


def posetrack_frame(image_id, file_name, video, nframes, width, height,
                    is_labeled=True, ignore_regions=(), **extra):
    """One ``images`` entry: a frame of ``video`` (``nframes`` long).

    Args:
        image_id (int): Unique in the file (also its ``frame_id``).
        file_name (str): Frame path relative to the data root.
        video (str): The video's id (``vid_id``).
        nframes (int): Frames of the video.
        width (int): Frame width in pixels.
        height (int): Frame height in pixels.
        is_labeled (bool): Whether its people are annotated.
        ignore_regions (Sequence): Polygons, each ``(xs, ys)``.
        **extra: Fields of the dataset (e.g. ``degradations``), last.
    """
    return dict(file_name=file_name, id=image_id, frame_id=image_id,
                vid_id=video, nframes=nframes, is_labeled=bool(is_labeled),
                has_no_densepose=True, width=width, height=height,
                ignore_regions_x=[list(xs) for xs, _ in ignore_regions],
                ignore_regions_y=[list(ys) for _, ys in ignore_regions],
                **extra)


def posetrack_person(ann_id, image_id, track_id, keypoints, num_keypoints,
                     bbox, bbox_head, **extra):
    """One ``annotations`` entry: a person in a frame.

    Args:
        ann_id (int): Unique in the file.
        image_id (int): Its frame's id.
        track_id (int): The person's id through the video.
        keypoints (list[float]): 17 x ``(x, y, v)`` flattened (51), in
            :data:`KEYPOINTS` order, ``(0, 0, 0)`` where not annotated.
        num_keypoints (int): Annotated joints.
        bbox (list[float]): Person box ``[x, y, w, h]``.
        bbox_head (list[float]): Head box ``[x, y, w, h]`` (the PoseTrack
            metric's PCKh threshold).
        **extra: Fields of the dataset (e.g. ``motion``), last.
    """
    return dict(id=ann_id, image_id=image_id, category_id=1,
                track_id=track_id, keypoints=keypoints,
                num_keypoints=num_keypoints, bbox=bbox,
                area=round(bbox[2] * bbox[3], 2), bbox_head=bbox_head,
                iscrowd=False, **extra)


def posetrack_file(images, annotations, info=None):
    """A whole annotation file: ``images``, ``annotations`` and the person
    category with :data:`KEYPOINTS` and :data:`SKELETON`."""
    out = dict(info=info) if info is not None else {}
    return dict(out, images=images, annotations=annotations,
                categories=CATEGORIES)


def person_box(points, img_w=None, img_h=None, enlarge=0.15):
    """``[x, y, w, h]`` around annotated ``(x, y)`` points, each side
    enlarged by ``enlarge`` of the extent (the annotations carry no person
    box), clipped to the image when its size is known."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x1, x2, y1, y2 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = (x2 - x1) * enlarge, (y2 - y1) * enlarge
    x1, y1, x2, y2 = x1 - dx, y1 - dy, x2 + dx, y2 + dy
    if img_w is not None:
        x1, x2 = max(0, x1), min(img_w - 1, x2)
    if img_h is not None:
        y1, y2 = max(0, y1), min(img_h - 1, y2)
    return [x1, y1, x2 - x1, y2 - y1]


def write_coco(path, images, annotations):
    """Write the converted ``images`` and ``annotations`` to ``path`` as one
    PoseTrack18-layout file, and say how much it holds."""
    with open(path, 'w') as f:
        json.dump(posetrack_file(images, annotations), f)
    print(f'wrote {path}: {len(images)} frames, {len(annotations)} people')


def frame_size(image_root, name):
    """``(width, height)`` read from the frame's file header."""
    path = osp.join(image_root, name)
    try:
        with Image.open(path) as img:
            return img.size
    except OSError as err:
        raise FileNotFoundError(
            f'cannot read the size of frame {path} ({err}); check the '
            'data root and the image prefix') from None
