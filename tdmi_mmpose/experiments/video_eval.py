"""The built-in validation videos as the experiments read them: frames in
order, ground-truth boxes, and the PoseTrack mAP of an mmpose-style
inferencer run over every video."""
import contextlib
import json
import os.path as osp
import time

import numpy as np

from tdmi_mmpose.evaluation import PoseTrackMAPMetric

from .models import SUBSETS


def val_videos(data_root):
    """``{video: [image records in frame order]}`` of the validation set."""
    with open(osp.join(data_root, 'annotations', 'synthetic_val.json')) as f:
        data = json.load(f)
    videos = {}
    for img in sorted(data['images'], key=lambda i: i['file_name']):
        videos.setdefault(img['vid_id'], []).append(img)
    return videos, data


def gt_boxes(data_root):
    """``{video: [(N, 5) xyxy+score boxes per frame]}`` of the validation
    annotations (frames without a label get no boxes)."""
    videos, data = val_videos(data_root)
    per_image = {}
    for ann in data['annotations']:
        x, y, w, h = ann['bbox']
        per_image.setdefault(ann['image_id'], []).append([x, y, x + w,
                                                          y + h, 1.0])
    return {video: [np.array(per_image.get(im['id'], []),
                             np.float32).reshape(-1, 5) for im in images]
            for video, images in videos.items()}


def held_gt_boxes(data_root):
    """``{video: [(N, 5) boxes per frame]}``: the ground-truth boxes of the
    labelled frames, each unlabelled frame holding those of the labelled
    frame before it (the first ones those after), so that every pipeline
    has people in every frame."""
    out = {}
    for video, frames in gt_boxes(data_root).items():
        held, last = [], None
        for boxes in frames:
            last = boxes if len(boxes) else last
            held.append(last)
        first = next((b for b in held if b is not None),
                     np.zeros((0, 5), np.float32))
        out[video] = [first if b is None else b for b in held]
    return out


def video_map(inferencer, data_root, boxes=None, **call_kwargs):
    """PoseTrack mAP (all / degraded / clean frames) and frames per second
    of an mmpose-style inferencer (detector included) run over every
    validation video; a person's joint scores are weighted by its box
    score, as top-down pipelines rank people. ``boxes`` (``{video: boxes
    per frame}``) replaces the detector."""
    videos, _ = val_videos(data_root)
    entries, t0, frames = [], time.time(), 0
    for video, images in videos.items():
        paths = [osp.join(data_root, im['file_name']) for im in images]
        if boxes is not None:
            call_kwargs['bboxes'] = boxes[video]
        for im, result in zip(images, inferencer(paths, **call_kwargs)):
            frames += 1
            for person in result['predictions'][0]:
                entries.append(dict(
                    img_id=im['id'], keypoints=np.asarray(
                        person['keypoints'], np.float64),
                    scores=np.asarray(person['keypoint_scores'],
                                      np.float64) * person['bbox_score']))
    fps = frames / (time.time() - t0)
    mAP = {}
    for prefix, subset in SUBSETS:
        name = 'synthetic_val.json' if subset == 'all' else \
            f'synthetic_val_{subset}.json'
        metric = PoseTrackMAPMetric(osp.join(data_root, 'annotations', name))
        mAP[subset] = {c: float(v) for c, v in
                       metric.compute_metrics(entries).items()}
    return mAP, fps


@contextlib.contextmanager
def count_backbone_crops(model):
    """Count the crops ``model``'s backbone runs on while the block runs.

    Yields:
        list[int]: the batch size of every backbone call (``sum`` of it is
        the number of crops); the hook is removed when the block ends.
    """
    crops = []
    hook = model.backbone.register_forward_hook(
        lambda m, inputs, out: crops.append(inputs[0].shape[0]))
    try:
        yield crops
    finally:
        hook.remove()

