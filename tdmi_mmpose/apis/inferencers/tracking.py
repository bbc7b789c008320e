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
