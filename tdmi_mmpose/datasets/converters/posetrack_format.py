"""Shared pieces of the PoseTrack-style converters: the PoseTrack18
(COCO-style) layout every dataset of this project is read in."""
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
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=CATEGORIES), f)
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
