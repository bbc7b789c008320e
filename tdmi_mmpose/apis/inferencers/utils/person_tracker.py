"""mmdet's trackers for the video inferencer: people keep their ids."""
import numpy as np
import torch
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

BYTETRACK = dict(type='ByteTracker', motion=dict(type='KalmanFilter'),
                 obj_score_thrs=dict(high=0.6, low=0.1), init_track_thr=0.7,
                 weight_iou_with_det_scores=True,
                 match_iou_thrs=dict(high=0.1, low=0.5, tentative=0.3),
                 num_frames_retain=30)


def bytetrack(track_thr=None):
    """mmdet's ByteTrack config (MOT17 settings: tracks start at box score
    0.7 and are first matched from 0.6), or with both thresholds lowered to
    ``track_thr`` for a detector whose scores stay lower."""
    if track_thr is None:
        return dict(BYTETRACK)
    return dict(BYTETRACK, init_track_thr=track_thr,
                obj_score_thrs=dict(high=track_thr, low=0.1))


class PersonTracker:
    """An mmdet tracker (ByteTrack, OC-SORT, ...) fed one frame's person
    boxes at a time; a new one per video.

    Args:
        cfg (dict, optional): mmdet tracker config (scope ``mmdet``); None
            gives every person the id -1.
    """

    def __init__(self, cfg):
        self.tracker = None
        if cfg is not None:
            from mmdet.registry import MODELS as DET_MODELS
            with DefaultScope.overwrite_default_scope('mmdet'):
                self.tracker = DET_MODELS.build(cfg)

    def track(self, dets, index):
        """Boxes ``(M, 5)`` (xyxy, score) and track ids ``(M,)`` of frame
        ``index`` from its detections ``(N, 5)``; people the tracker does
        not report (scores below its thresholds, tracks not yet confirmed)
        keep their box, with track id -1."""
        if self.tracker is None:
            return dets, np.full(len(dets), -1)
        from mmdet.structures import DetDataSample
        sample = DetDataSample(metainfo=dict(frame_id=index))
        sample.pred_instances = InstanceData(
            bboxes=torch.from_numpy(dets[:, :4]).float(),
            scores=torch.from_numpy(dets[:, 4]).float(),
            labels=torch.zeros(len(dets), dtype=torch.long))
        tracks = self.tracker.track(sample)
        boxes = tracks.bboxes.cpu().numpy().reshape(-1, 4)
        scores = tracks.scores.cpu().numpy().reshape(-1, 1)
        ids = tracks.instances_id.cpu().numpy().reshape(-1)
        untracked = [d for d in dets if not len(boxes) or not np.any(
            np.abs(boxes - d[None, :4]).max(1) < 1e-3)]
        boxes = np.concatenate([boxes, scores], 1).astype(np.float32)
        if untracked:
            boxes = np.concatenate([boxes, np.asarray(untracked, np.float32)])
            ids = np.concatenate([ids, np.full(len(untracked), -1)])
        return boxes, ids

    def ids(self, dets, index):
        """Track ids ``(N,)`` of frame ``index``'s detections ``(N, 5)``, in
        their order; -1 for those the tracker does not report."""
        boxes, ids = self.track(dets, index)
        return np.asarray([next((int(i) for b, i in zip(boxes, ids)
                                 if np.abs(b[:4] - d[:4]).max() < 1e-3), -1)
                           for d in dets], np.int64)


def greedy_track(frames, method='iou', thr=0.3, sigmas=None):
    """Track ids by mmpose's greedy matching of consecutive frames' people
    (``mmpose.apis._track_by_iou`` / ``_track_by_oks``, as mmpose's 3D
    inferencer tracks its 2D poses): each person of a frame takes the id
    of the best remaining person of the frame before if the box IoU (or
    the keypoints' OKS) is above ``thr``, else a new id. Unlike mmpose's
    3D inferencer, people with few keypoints are kept.

    Args:
        frames (list[list[dict]]): Per frame, the people as the inferencers
            give them (``keypoints`` ``(K, 2)``, ``keypoint_scores``
            ``(K,)``, ``bbox`` xyxy).
        method (str): ``'iou'`` or ``'oks'``. Default: ``'iou'``.
        thr (float): Matching threshold (mmpose's 3D inferencer: 0.3).
        sigmas (array, optional): OKS sigmas ``(K,)`` (default: COCO's).

    Returns:
        list[list[int]]: per frame, each person's track id.
    """
    from mmpose.apis import _track_by_iou, _track_by_oks
    from mmpose.structures import PoseDataSample
    if method not in ('iou', 'oks'):
        raise ValueError(f"method must be 'iou' or 'oks', got {method!r}")
    last, next_id, out = [], 0, []
    for people in frames:
        current, ids = [], []
        for person in people:
            box = np.asarray(person['bbox'], np.float32).reshape(-1)[:4]
            res = PoseDataSample()
            res.pred_instances = InstanceData(
                keypoints=np.asarray(person['keypoints'],
                                     np.float32)[None, :, :2],
                keypoint_scores=np.asarray(person['keypoint_scores'],
                                           np.float32)[None],
                bboxes=box[None],
                areas=np.array([(box[2] - box[0]) * (box[3] - box[1])]))
            if method == 'oks':
                tid, last, _ = _track_by_oks(res, last, thr, sigmas)
            else:
                tid, last, _ = _track_by_iou(res, last, thr)
            if tid == -1:
                tid, next_id = next_id, next_id + 1
            res.track_id = tid
            current.append(res)
            ids.append(tid)
        last, next_id = current, max([next_id, *[i + 1 for i in ids]])
        out.append(ids)
    return out


def draw_track_ids(image, instances):
    """Write each person's track id above its box on ``image`` (BGR, in
    place); ``instances`` has ``bboxes`` and ``track_ids``."""
    import cv2
    for box, tid in zip(instances.bboxes, instances.track_ids):
        cv2.putText(image, f'id {int(tid)}',
                    (int(box[0]), max(int(box[1]) - 4, 10)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1,
                    cv2.LINE_AA)
    return image


def with_track_ids(people, track_ids):
    """mmpose's result dicts of a frame's people with each one's
    ``track_id`` (an int), ``bbox`` as 4 numbers and ``bbox_score`` a
    float (mmpose gives a tuple and a numpy number)."""
    for person, tid in zip(people, track_ids):
        person['track_id'] = int(tid)
        if isinstance(person.get('bbox'), tuple):
            person['bbox'] = person['bbox'][0]
        if 'bbox_score' in person:
            person['bbox_score'] = float(person['bbox_score'])
    return people
