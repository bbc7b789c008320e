"""The adaptation runs on the built-in videos: where their unlabelled videos
and people come from.

The built-in videos label every second frame; a user's detector finds
people in every frame. The stand-in for that detector here is the
ground-truth person boxes of the labelled frames, linearly interpolated by
track id over the frames between them (and held at a video's ends), written
as ``demo/video_demo.py --save-bboxes`` files with their track ids. Only
boxes are written: no keypoint of the annotations is read.
"""
import json
import os
import os.path as osp

import numpy as np

BOXES = 'unlabelled_boxes'
CACHE = 'unlabelled_cache'
# the unlabelled set (b): the generator's training videos of another data
# seed, never its validation videos
OTHER_DATA_SEED_OFFSET = 100


def interpolated_boxes(frames, boxes):
    """Per frame ``{track id: [x1, y1, x2, y2]}`` from the boxes of some
    frames.

    Args:
        frames (int): The video's frame count.
        boxes (dict[int, dict[int, list]]): Frame index -> track id -> xyxy
            box, for the frames that have boxes.

    Returns:
        list[dict[int, list[float]]]: Every frame; a person's box between
        two frames that have it is interpolated linearly, before the first
        and after the last it is held.
    """
    out = [dict() for _ in range(frames)]
    tracks = sorted({t for per in boxes.values() for t in per})
    for track in tracks:
        known = sorted(f for f, per in boxes.items() if track in per)
        values = np.array([boxes[f][track] for f in known], np.float64)
        for f in range(frames):
            box = [float(np.interp(f, known, values[:, k]))
                   for k in range(4)]
            out[f][track] = box
    return out


def write_boxes_files(data_root, split='train'):
    """``DATA_ROOT/unlabelled_boxes/SPLIT/<video>.json`` for every video of
    a split of the built-in videos (see the module's docstring), written
    anew each time (the same videos give the same files).

    Returns:
        str: The boxes folder.
    """
    folder = osp.join(data_root, BOXES, split)
    os.makedirs(folder, exist_ok=True)
    ann_dir = osp.join(data_root, 'annotations', split)
    for name in sorted(os.listdir(ann_dir)):
        video = osp.splitext(name)[0]
        out = osp.join(folder, f'{video}.json')
        with open(osp.join(ann_dir, name)) as f:
            data = json.load(f)
        order = {img['id']: i for i, img in enumerate(
            sorted(data['images'], key=lambda im: im['file_name']))}
        boxes = {}
        for ann in data['annotations']:
            x, y, w, h = ann['bbox']
            boxes.setdefault(order[ann['image_id']], {})[ann['track_id']] = \
                [x, y, x + w, y + h]
        frames = interpolated_boxes(len(order), boxes)
        dets = [dict(image_id=f, category_id=1,
                     bbox=[b[0], b[1], b[2] - b[0], b[3] - b[1]], score=1.0,
                     track_id=int(t))
                for f, per in enumerate(frames) for t, b in per.items()]
        tmp = out + '.part'
        with open(tmp, 'w') as f:
            json.dump(dict(video=video, num_frames=len(frames),
                           detections=dets), f)
        os.replace(tmp, out)
    return folder


def point_at_unlabelled(cfg, data_root, source_root):
    """Point an adaptation config's training data at the training videos of
    ``source_root`` (with their boxes files, written if missing) and put
    its cache there.

    Args:
        cfg (Config): The run's config (an adaptation recipe).
        data_root (str): The labelled built-in videos (validation).
        source_root (str): The built-in videos to adapt on: ``data_root``
            itself (its training videos, labels unused) or another data
            seed's.
    """
    boxes = write_boxes_files(source_root, 'train')
    data = cfg.train_dataloader.dataset
    data.data_root = ''
    data.videos = osp.join(source_root, 'images', 'train')
    data.boxes_dir = boxes
    data.cache_dir = osp.join(source_root, CACHE, 'train')
    return cfg


def prepare_cache(dataset_cfg):
    """Build an :class:`UnlabelledVideoDataset` once, which writes its cache
    (frames, people, manifest), so that runs started afterwards, in
    parallel, only read it.

    Args:
        dataset_cfg (dict): The dataset's config.
    """
    from mmengine.registry import DefaultScope
    from mmpose.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmpose'):
        DATASETS.build(dict(dataset_cfg, pipeline=[]))
