"""PoseTrack17 (one ``annolist`` JSON per video) in the PoseTrack18
layout: the 15 joints mapped to the 17 of PoseTrack18 (ears empty), the
annotated rectangle as the head box, the person box as the joint extent
enlarged by 15% per side, and the 5-digit 1-based frame names renamed to
8-digit ones (the convention of earlier video pose work)."""
import glob
import os
import os.path as osp
import re

from .posetrack_format import (POSETRACK15_TO_17, frame_size, person_box,
                               posetrack_frame, posetrack_person)
from ...utils.files import read_json

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
    annolist = read_json(path, 'PoseTrack17 annotation file')
    annolist = annolist.get('annolist', annolist)
    nframes = len(annolist)
    for frame in annolist:
        name = first(frame['image'])['name']
        img_id = video_id * 10000 + int(FRAME.match(osp.basename(name))[1])
        regions = frame.get('ignore_regions') or []
        width, height = frame_size(image_root, name)
        images.append(posetrack_frame(
            img_id, renamed(name), osp.splitext(osp.basename(path))[0],
            nframes, width, height,
            is_labeled=first(frame.get('is_labeled', [0])),
            ignore_regions=[([first(p['x']) for p in r['point']],
                             [first(p['y']) for p in r['point']])
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
            annotations.append(posetrack_person(
                len(annotations) + 1, img_id,
                int(first(rect.get('track_id', [-1]))), kpts, len(points),
                person_box(xy, width, height), [x1, y1, x2 - x1, y2 - y1]))


def rename_frames(image_root, images):
    """Symlink each frame under its 8-digit name (originals stay)."""
    for img in images:
        folder, new = osp.split(osp.join(image_root, img['file_name']))
        old = f'{int(FRAME.match(new)[1]):05d}{FRAME.match(new)[2]}'
        target = osp.join(folder, new)
        if not osp.exists(target) and osp.exists(osp.join(folder, old)):
            os.symlink(old, target)


def convert(ann_dir, image_root):
    """PoseTrack18 images and annotations of every PoseTrack17 video file
    (``*.json``) of ``ann_dir``, frames renamed to 8-digit names."""
    files = sorted(glob.glob(osp.join(ann_dir, '*.json')))
    if not files:
        raise FileNotFoundError(f'no .json files in {ann_dir}: PoseTrack17 '
                                'has one annolist file per video')
    images, annotations = [], []
    for video_id, path in enumerate(files, 1):
        convert_video(path, video_id, image_root, images, annotations)
    return images, annotations
