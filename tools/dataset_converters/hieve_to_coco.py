"""Convert HiEve pose annotations to the PoseTrack18 format.

Input: one JSON per video, ``<video>.json``, holding a list of frames::

    [{"frame_id": 1,                       # 1-based frame number
      "file_name": "000001.jpg",           # optional, else from frame_id
      "persons": [{"track_id": 3,
                   "bbox": [x1, y1, x2, y2],      # optional
                   "keypoints": [[x, y, v], ...]  # 14 joints, HIEVE_JOINTS
                   }]}]

This is the layout read here; if a copy of HiEve differs (joint order,
keys), adapt ``HIEVE_JOINTS`` and ``read_person``. HiEve has no head box:
``bbox_head`` is derived from the head top and neck (a square with their
distance as side; without them, 1/7 of the person's height), so the PCKh
of the PoseTrack metric is defined; the official HiEve leaderboard uses its
own protocol.

Example:
    python tools/dataset_converters/hieve_to_coco.py \
        data/hieve/labels/train data/hieve \
        data/hieve/annotations/hieve_train.json \
        --image-prefix images/train
"""
import argparse
import glob
import json
import os.path as osp

from posetrack_common import KEYPOINTS, frame_size, person_box, write_coco

# HiEve joint order (14) as read here -> PoseTrack18 joint names.
HIEVE_JOINTS = [
    'head_top', 'head_bottom', 'right_shoulder', 'right_elbow',
    'right_wrist', 'left_shoulder', 'left_elbow', 'left_wrist', 'right_hip',
    'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle'
]


def read_person(person, img_w=None, img_h=None):
    """PoseTrack18 keypoints, person box and head box of one person."""
    joints = person['keypoints']
    if len(joints) != len(HIEVE_JOINTS):
        raise ValueError(f'expected {len(HIEVE_JOINTS)} HiEve joints, got '
                         f'{len(joints)}')
    kpts = [0.0] * 51
    xy = []
    for name, (x, y, v) in zip(HIEVE_JOINTS, joints):
        if v > 0:
            j = KEYPOINTS.index(name)
            kpts[3 * j:3 * j + 3] = [float(x), float(y), 1.0]
            xy.append((float(x), float(y)))
    if 'bbox' in person:
        x1, y1, x2, y2 = person['bbox']
        box = [x1, y1, x2 - x1, y2 - y1]
    else:
        box = person_box(xy, img_w, img_h) if xy else None
    top, neck = kpts[6:8], kpts[3:5]
    head = None
    if kpts[8] > 0 and kpts[5] > 0:
        side = max(1.0, ((top[0] - neck[0])**2 + (top[1] - neck[1])**2)**.5)
        cx, cy = (top[0] + neck[0]) / 2, (top[1] + neck[1]) / 2
        head = [cx - side / 2, cy - side / 2, side, side]
    elif box is not None:
        # no head joints: a head of 1/7 of the person's height at its top
        side = max(1.0, box[3] / 7)
        head = [box[0] + box[2] / 2 - side / 2, box[1], side, side]
    return kpts, len(xy), box, head


def convert(ann_dir, data_root, image_prefix):
    files = sorted(glob.glob(osp.join(ann_dir, '*.json')))
    if not files:
        raise FileNotFoundError(f'no .json files in {ann_dir}')
    images, annotations = [], []
    for video_id, path in enumerate(files, 1):
        video = osp.splitext(osp.basename(path))[0]
        with open(path) as f:
            frames = json.load(f)
        for frame in frames:
            n = int(frame['frame_id'])
            img_id = video_id * 100000 + n
            name = osp.join(image_prefix, video,
                            frame.get('file_name', f'{n:06d}.jpg'))
            width, height = frame_size(data_root, name)
            images.append(dict(
                id=img_id, file_name=name, width=width, height=height,
                nframes=len(frames), vid_id=video, frame_id=img_id,
                is_labeled=True))
            for person in frame.get('persons', []):
                kpts, num, box, head = read_person(person, width, height)
                if num == 0 or box is None:
                    continue
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=img_id, category_id=1,
                    keypoints=kpts, num_keypoints=num, bbox=box,
                    bbox_head=head, iscrowd=0,
                    track_id=int(person.get('track_id', -1))))
    return images, annotations


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder of per-video HiEve .json')
    parser.add_argument('data_root', help='folder the image prefix is in')
    parser.add_argument('out_file', help='converted annotation file')
    parser.add_argument('--image-prefix', default='images',
                        help='folder of the video frame folders, relative '
                        'to the data root')
    args = parser.parse_args()
    write_coco(args.out_file,
               *convert(args.ann_dir, args.data_root, args.image_prefix))


if __name__ == '__main__':
    main()
