"""People per frame as the video inferencer finds them: an mmdet person
detector (or boxes given, or the whole frame), its score threshold and
NMS, then an mmdet tracker over a video's frames."""
import os
import os.path as osp
import warnings

import numpy as np
from mmengine.config import Config
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.evaluation.functional import nms

from ..utils.boxes import boxes_from_json, check_boxes_video
from ..utils.model_zoo import (DownloadError, ModelNameError, find_model,
                                is_detector, resolve_weights, tasks)
from .inference import person_boxes


def check_detector_name(name):
    """Refuse, in one line, a ``det_model`` name that mmdet's metafile does
    not have (listing the closest detector names), a pose model's name or
    an mmdet model that is no detector."""
    try:
        entry, _, _ = find_model(name, ('mmdet', ), 'det_model')
    except ModelNameError as err:
        try:
            _, _, scope = find_model(name, ('tdmi_mmpose', 'mmpose'))
        except ModelNameError:
            raise err from None
        raise ModelNameError(
            f'det_model {name!r} is a pose model of {scope}, not a '
            "detector: give an mmdet detector (e.g. 'rtmdet-m'), None for "
            "mmpose's default person detector, or 'whole_image'") from None
    if not is_detector(entry):
        raise ModelNameError(
            f'det_model {name!r} is an mmdet model for '
            f'{", ".join(sorted(t for t in tasks(entry) if t))}, not a '
            "detector: give a detector (e.g. 'rtmdet-m'), or "
            "'whole_image'")


def check_detector_config(path):
    """Refuse, in one line, an mmdet config file that is a tracker (its
    model holds a ``detector``), which mmdet's detector inferencer cannot
    run.

    Returns:
        str: the config's ``default_scope`` (``'mmdet'`` if unset).
    """
    cfg = Config.fromfile(path)
    model = cfg.get('model') or {}
    if 'detector' in model or 'tracker' in model:
        raise ValueError(
            f'det_model {path} is an mmdet tracker config (model type '
            f'{model.get("type")}), not a detector: give its detector as a '
            "config or name (e.g. 'rtmdet-m'); tracking is the tracker "
            'argument (ByteTrack by default)')
    return cfg.get('default_scope') or 'mmdet'


def detect_people(detector, image, det_cat_ids, bbox_thr, nms_thr,
                  name='frame'):
    """``(N, 5)`` person boxes (xyxy, score) of one BGR ``image`` from an
    mmdet ``DetInferencer``: its boxes of ``det_cat_ids`` above
    ``bbox_thr``, those that are not finite or lie outside the image
    dropped (:func:`person_boxes`), then NMS at ``nms_thr``."""
    pred = detector(image, return_datasamples=True)[
        'predictions'][0].pred_instances.cpu().numpy()
    keep = np.isin(pred.labels, det_cat_ids) & (pred.scores > bbox_thr)
    dets = np.concatenate([pred.bboxes, pred.scores[:, None]], 1)[keep]
    boxes, scores = person_boxes(dets, 'xyxy', image.shape, name)
    dets = np.concatenate([boxes, scores[:, None]], 1)
    return dets[nms(dets, nms_thr)] if len(dets) else dets


class PersonDetector:
    """Person boxes of one frame at a time, with
    :class:`VideoPoseInferencer`'s choice of detector and thresholds.

    Args:
        det_model (str, optional): mmdet config or model name or alias;
            None: mmpose's default person detector (its
            ``default_det_models['human']``, fetched once into the cache);
            ``'whole_image'``: the whole frame as one person.
        det_weights (str, optional): The detector's checkpoint: a file, an
            ``http(s)://`` address or a model name.
        det_cat_ids (int | tuple): Person category ids. Default: 0.
        bbox_thr (float): Drop boxes scoring below this. Default: 0.3.
        nms_thr (float): NMS IoU threshold. Default: 0.3.
        device (str): Device. Default: ``'cpu'``.
    """

    def __init__(self, det_model=None, det_weights=None, det_cat_ids=0,
                 bbox_thr=0.3, nms_thr=0.3, device='cpu'):
        self.bbox_thr, self.nms_thr = bbox_thr, nms_thr
        self.det_cat_ids = (det_cat_ids if isinstance(det_cat_ids,
                                                      (tuple, list)) else
                            (det_cat_ids, ))
        self.detector = None
        if det_model in ('whole_image', 'whole-image'):
            self.name = 'whole_image'
            return
        scope = 'mmdet'
        if det_model is None:
            from mmpose.apis.inferencers.utils import default_det_models
            default = default_det_models['human']
            det_model, det_weights = default['model'], default['weights']
            self.det_cat_ids = tuple(default['cat_ids'])
        elif not osp.isfile(det_model):
            check_detector_name(det_model)
        else:
            scope = check_detector_config(det_model)
        self.name = f'{det_model} ({det_weights})'
        det_weights = resolve_weights(det_weights, ('mmdet', ),
                                      'det_weights')
        from mmdet.apis import DetInferencer
        try:
            self.detector = DetInferencer(det_model, det_weights,
                                          device=device, scope=scope,
                                          show_progress=False)
        except DownloadError as err:
            raise DownloadError(
                f'the person detector {osp.basename(det_model)}: {err}. Or '
                "run without it: det_model='whole_image' (the whole frame "
                'as one person; --det-model whole_image), a local detector '
                '(det_model=CONFIG, det_weights=FILE), or boxes of your own '
                '(bboxes=FILE, --bboxes; demo/video_demo.py --save-bboxes '
                'writes them)') from None

    def identity(self):
        """What the detections depend on (for caches)."""
        return dict(detector=self.name, det_cat_ids=list(self.det_cat_ids),
                    bbox_thr=self.bbox_thr, nms_thr=self.nms_thr)

    def __call__(self, image, name='frame', bbox_thr=None, nms_thr=None):
        """``(N, 5)`` person boxes (xyxy, score) of ``image`` (BGR);
        ``bbox_thr`` and ``nms_thr`` replace the detector's for this
        call."""
        if self.detector is None:
            h, w = image.shape[:2]
            return np.array([[0, 0, w, h, 1]], np.float32)
        return detect_people(
            self.detector, image, self.det_cat_ids,
            self.bbox_thr if bbox_thr is None else bbox_thr,
            self.nms_thr if nms_thr is None else nms_thr, name)


def pose_nms(instances):
    """The people of a frame (``InstanceData`` with ``keypoints`` and
    ``bbox_scores``) without those whose poses overlap a better-scored
    person's, as mmpose's ``Pose2DInferencer`` does with
    ``pose_based_nms`` (its ``nearby_joints_nms``)."""
    from mmpose.evaluation.functional import nearby_joints_nms
    if len(instances) < 2:
        return instances
    keep = nearby_joints_nms(
        [dict(keypoints=k, score=s)
         for k, s in zip(instances.keypoints, instances.bbox_scores)],
        num_nearby_joints_thr=instances.keypoints.shape[-2] // 3)
    return instances[np.sort(keep)]


def load_boxes(bboxes, video=None, num_frames=None):
    """Boxes given for a video's frames, as the video inferencer takes them.

    Args:
        bboxes (list | str): Per frame ``(N, 4)`` xyxy or ``(N, 5)`` with
            scores, or a COCO-style result JSON whose ``image_id`` is the
            0-based frame index (:func:`boxes_from_json`).
        video (str, optional): The video's file name: a file that names its
            video (as ``--save-bboxes`` writes it) must name this one.
        num_frames (int, optional): The video's frame count, checked with
            ``video``.

    Returns:
        list: per frame, the boxes.
    """
    if not isinstance(bboxes, (str, os.PathLike)):
        return bboxes
    if video is not None:
        check_boxes_video(os.fspath(bboxes), video, num_frames)
    return boxes_from_json(bboxes)


def given_boxes(bboxes, index, shape):
    """``(N, 5)`` boxes (xyxy, score) given for frame ``index`` of an image
    of ``shape``, checked by :func:`person_boxes` (frames after the listed
    ones have none)."""
    given = bboxes[index] if index < len(bboxes) else []
    boxes, scores = person_boxes(given, 'xyxy', shape, f'frame {index}')
    return np.concatenate([boxes, scores[:, None]], 1)


def warn_unused_boxes(bboxes, num_frames):
    """One warning when boxes were given for frames beyond the input's
    ``num_frames``."""
    listed = 0 if bboxes is None else len(bboxes)
    beyond = [i for i in range(num_frames, listed) if len(bboxes[i])]
    if beyond:
        warnings.warn(
            f'boxes were given for frames {beyond[0]}..{beyond[-1]}, beyond '
            f'the {num_frames} frames of the input, and were not used: '
            'frame indices (image_id) are 0-based and must lie in the '
            'video')


class GivenBoxesInferencer(Pose2DInferencer):
    """mmpose's ``Pose2DInferencer`` fed the boxes given to each frame
    (``bboxes=[(N, 5) per frame]``; mmpose 1.3.2's ignores ``bboxes`` for
    top-down models and would run a detector or take the whole image)."""

    def preprocess_single(self, input, index, bbox_thr=0.3, nms_thr=0.3,
                          bboxes=()):
        info = dict(img_path=input) if isinstance(input, str) else dict(
            img=input, img_path=f'{index:06d}.jpg')
        info.update(self.model.dataset_meta)
        return [self.pipeline(dict(info, bbox=np.asarray(b[None, :4]),
                                   bbox_score=np.asarray(b[4:5])))
                for b in np.asarray(bboxes, np.float32).reshape(-1, 5)]


def track_people(frames_dets, tracker='bytetrack'):
    """Track ids of a video's people, frame by frame.

    Args:
        frames_dets (list[np.ndarray]): Per frame, ``(N, 5)`` boxes (xyxy,
            score).
        tracker (dict | str, optional): mmdet tracker config; None gives
            every person the id -1. Default: ``'bytetrack'``, ByteTrack
            with mmdet's MOT17 settings.

    Returns:
        list[np.ndarray]: Per frame, ``(N,)`` track ids in the boxes' order
        (-1: not reported by the tracker).
    """
    from .inferencers.utils.person_tracker import PersonTracker, bytetrack
    people = PersonTracker(bytetrack() if tracker == 'bytetrack' else
                           tracker)
    return [people.ids(np.asarray(d, np.float32).reshape(-1, 5), i)
            for i, d in enumerate(frames_dets)]
