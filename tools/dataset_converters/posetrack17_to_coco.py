"""Convert PoseTrack17 (``annolist`` JSON per video) to the PoseTrack18
format, and rename its frames to 8-digit, 1-based names.

PoseTrack17 frames are named ``00001.jpg`` (1-based); the convention of
earlier video pose work, kept here, renames them to ``00000001.jpg``. The
15 joints are mapped to the 17-joint PoseTrack18 layout (ears empty); the
annotated rectangle is the head box (``bbox_head``); the person box is the
joint extent enlarged by 15% per side.

Example:
    python tools/dataset_converters/posetrack17_to_coco.py \
        data/posetrack17/annotations/val data/posetrack17 \
        data/posetrack17/annotations/posetrack17_val.json --rename-frames
"""
import argparse
import glob
import json
import os
import os.path as osp
import re

from tdmi_mmpose.datasets.converters.posetrack_format import (
    POSETRACK15_TO_17, frame_size, person_box, write_coco)

FRAME = re.compile(r'^(\d+)(\.\w+)$')


def renamed(name):
    """``images/x/000001_bonn/00001.jpg`` -> ``.../00000001.jpg``."""
    folder, base = osp.split(name)
    m = FRAME.match(base)
    if m is None:
        raise ValueError(f'unexpected PoseTrack17 frame name {name!r}')
    return osp.join(folder, f'{int(m.group(1)):08d}{m.group(2)}')


def first(value):
    return value[0] if isinstance(value, list) else value


def convert_video(path, video_id, image_root, images, annotations):
    """Append the frames and people of one video (``video_id``: a number
    unique in the split, here the file's rank)."""
    with open(path) as f:
        annolist = json.load(f)
    annolist = annolist.get('annolist', annolist)
    nframes = len(annolist)
    for frame in annolist:
        name = first(frame['image'])['name']
        img_id = video_id * 10000 + int(FRAME.match(osp.basename(name))[1])
        regions = frame.get('ignore_regions') or []
        width, height = frame_size(image_root, name)
        images.append(dict(
            id=img_id, file_name=renamed(name), nframes=nframes,
            width=width, height=height,
            vid_id=osp.splitext(osp.basename(path))[0], frame_id=img_id,
            is_labeled=bool(first(frame.get('is_labeled', [0]))),
            ignore_regions_x=[[first(p['x']) for p in r['point']]
                              for r in regions],
            ignore_regions_y=[[first(p['y']) for p in r['point']]
                              for r in regions]))
        for rect in frame.get('annorect') or []:
            points = (first(rect.get('annopoints') or [{}]) or {}).get(
                'point') or []
            if not points:
                continue
            kpts = [0.0] * 51
            xy = []
            for p in points:
                j = POSETRACK15_TO_17[int(first(p['id']))]
                x, y = float(first(p['x'])), float(first(p['y']))
                kpts[3 * j:3 * j + 3] = [x, y, 1.0]
                xy.append((x, y))
            x1, y1 = first(rect['x1']), first(rect['y1'])
            x2, y2 = first(rect['x2']), first(rect['y2'])
            annotations.append(dict(
                id=len(annotations) + 1, image_id=img_id, category_id=1,
                track_id=int(first(rect.get('track_id', [-1]))),
                keypoints=kpts, num_keypoints=len(points), iscrowd=0,
                bbox=person_box(xy, width, height),
                bbox_head=[x1, y1, x2 - x1, y2 - y1]))


def rename_frames(image_root, images):
    """Symlink each frame under its 8-digit name (originals stay)."""
    for img in images:
        folder, new = osp.split(osp.join(image_root, img['file_name']))
        old = f'{int(FRAME.match(new)[1]):05d}{FRAME.match(new)[2]}'
        target = osp.join(folder, new)
        if not osp.exists(target) and osp.exists(osp.join(folder, old)):
            os.symlink(old, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder of PoseTrack17 .json files')
    parser.add_argument('image_root', help='folder holding images/')
    parser.add_argument('out_file', help='converted annotation file')
    parser.add_argument('--rename-frames', action='store_true',
                        help='also link frames under 8-digit names')
    args = parser.parse_args()
    files = sorted(glob.glob(osp.join(args.ann_dir, '*.json')))
    if not files:
        raise FileNotFoundError(f'no .json files in {args.ann_dir}')
    images, annotations = [], []
    for video_id, path in enumerate(files, 1):
        convert_video(path, video_id, args.image_root, images, annotations)
    if args.rename_frames:
        rename_frames(args.image_root, images)
    write_coco(args.out_file, images, annotations)


if __name__ == '__main__':
    main()
