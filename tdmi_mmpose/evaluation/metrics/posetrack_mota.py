"""PoseTrack17/18's multi-person pose tracking MOTA as an mmengine
metric."""
import os.path as osp
from collections import defaultdict

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from ..functional.posetrack_mota import pose_tracking_mota
from ..functional.posetrack_eval import tracking_sequence
from ..functional.posetrack_gt import (POSETRACK15, group_means,
                                       load_ground_truth)


def check_track_ids(ids, people, img_id):
    """A frame's track ids as ints, one per person and each its own, as
    the prediction-file reader requires; otherwise an error naming the
    image and what to give (scores would come out silently wrong: MOTA 100
    with every id -1, a person dropped with one id too few)."""
    ids = list(np.asarray(ids, dtype=object).reshape(-1))
    if len(ids) != people:
        raise ValueError(f'image {img_id}: {people} people but {len(ids)} '
                         'track ids: give one id per person')
    out = []
    for tid in ids:
        try:
            value = float(tid)
        except (TypeError, ValueError):
            value = float('nan')
        if not np.isfinite(value) or value != int(value):
            raise ValueError(f'image {img_id}: track id {tid!r} is not a '
                             'whole number')
        out.append(int(value))
    repeated = sorted({t for t in out if out.count(t) > 1})
    if repeated:
        raise ValueError(
            f'image {img_id}: track id {repeated[0]} is given to '
            f'{out.count(repeated[0])} people of one frame; each person of '
            'a frame needs an id of its own (people the tracker did not '
            'report, id -1, get ids of their own in '
            'write_video_predictions)')
    return out


@METRICS.register_module()
class PoseTrackMOTAMetric(BaseMetric):
    """PoseTrack17/18 multi-person pose tracking MOTA, MOTP, precision,
    recall and identity switches, as poseval computes them
    (:mod:`tdmi_mmpose.evaluation.functional.posetrack_mota`: motmetrics
    per joint, a joint matched within 0.5 head sizes, poseval's dummy
    counts and its skip of each video's last labelled frame).

    It needs the people's track ids (``pred_instances.track_ids``, as the
    video inferencer gives them); a video is the folder of its frames.

    Args:
        ann_file (str): Ground truth, PoseTrack18 (COCO-style) format with
            ``track_id`` and ``bbox_head`` per person.
        thr (float): Match threshold over the head size. Default: 0.5.
        skip_last (bool): poseval's skip of each video's last labelled
            frame. Default: True.
        kpt_thr (float, optional): Predicted joints whose score
            (``keypoint_scores``) is below it are left out, as PoseTrack
            submissions leave out unsure joints; None keeps every joint
            (poseval takes the files as they are). Default: None.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Default: ``'cpu'``.
        prefix (str, optional): Metric key prefix. Default:
            ``posetrack_mota``.
    """
    default_prefix = 'posetrack_mota'

    def __init__(self, ann_file, thr=0.5, skip_last=True, kpt_thr=None,
                 collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file, self.thr, self.skip_last = ann_file, thr, skip_last
        self.kpt_thr = kpt_thr
        self.data, self.frames, _ = load_ground_truth(ann_file)

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            pred = sample['pred_instances']
            ids = pred.get('track_ids')
            if ids is None:
                raise ValueError(
                    f'image {sample.get("img_id")}: its people have no '
                    'track_ids; MOTA measures tracking: evaluate the video '
                    "pipeline's results (VideoPoseInferencer gives ids)")
            kpts = np.asarray(pred['keypoints'], np.float64)[..., :2]
            ids = check_track_ids(ids, len(kpts), sample.get('img_id'))
            scores = np.asarray(pred['keypoint_scores'], np.float64) if \
                'keypoint_scores' in pred else np.ones(kpts.shape[:2])
            if self.kpt_thr is not None:  # unsure joints: absent (0, 0, 0)
                keep = scores >= self.kpt_thr
                kpts = np.where(keep[..., None], kpts, 0)
                scores = np.where(keep, scores, 0)
            for person, score, tid in zip(kpts, scores, ids):
                self.results.append(dict(img_id=sample['img_id'],
                                         track_id=int(tid),
                                         keypoints=person, scores=score))

    def sequences(self, results):
        """The labelled frames of each video (a folder of frames) with the
        predictions of ``results``."""
        people = defaultdict(list)
        for res in results:
            people[res['img_id']].append(res)
        videos = defaultdict(list)
        for image in self.data['images']:
            videos[osp.dirname(image['file_name'])].append(image)
        return [tracking_sequence(
            self.frames, images, {im['id']: people[im['id']]
                                     for im in images},
            np.asarray(POSETRACK15)) for images in videos.values()]

    def compute_metrics(self, results):
        out = pose_tracking_mota(self.sequences(results), len(POSETRACK15),
                                 self.thr, self.skip_last)
        metrics = {f'MOTA/{k}': v for k, v in
                   group_means(out['mota']).items()}
        metrics.update(MOTA=out['total']['mota'], MOTP=out['total']['motp'],
                       Precision=out['total']['precision'],
                       Recall=out['total']['recall'],
                       Switches=out['total']['switches'])
        MMLogger.get_current_instance().info(
            'PoseTrack MOTA %.1f, MOTP %.1f, precision %.1f, recall %.1f, '
            '%d identity switches', metrics['MOTA'], metrics['MOTP'],
            metrics['Precision'], metrics['Recall'], metrics['Switches'])
        return metrics
