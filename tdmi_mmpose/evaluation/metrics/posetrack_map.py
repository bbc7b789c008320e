"""PoseTrack mAP (the official poseval AP), without poseval, as an
mmengine metric over :mod:`..functional.posetrack_ap`."""
import json
import os
import os.path as osp
from collections import defaultdict

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from ..functional.posetrack_ap import ap_table, format_table, posetrack_ap
from ..functional.posetrack_gt import load_ground_truth


@METRICS.register_module()
class PoseTrackMAPMetric(BaseMetric):
    """PoseTrack multi-person pose AP, as the official ``poseval`` defines
    it, computed here because poseval cannot be installed from the package
    index.

    Per labelled frame: predicted and annotated joints strictly inside an
    ignore region are dropped; people are matched by PCKh
    (:func:`..functional.posetrack_ap.match_frame`); a predicted joint is a true positive when its
    person is matched and it lies within ``pckh_thr`` times the head size
    (0.6 x the diagonal of the annotated head box) of that person's
    annotated joint. AP per joint over all frames (poseval's AP),
    on the 15 official joints; the table rows average joints as the paper
    does and ``Mean`` averages the 15 joints. A joint's score is its heatmap
    maximum times its box score. poseval's edge rules are followed: a
    labelled frame without any annotated person is dropped with its
    predictions; a predicted joint at (0, 0) is absent; a joint without
    ground truth has AP NaN (so has its row) when it was predicted and 0
    when it was not, and ``Mean`` skips NaN. NaN or infinite predicted
    coordinates or scores are treated as absent joints (with a warning).
    The one difference: tied scores count as one threshold (see
    :func:`..functional.posetrack_ap.average_precision`).

    The ground truth is read and checked when the metric is built, before
    any inference: an error names the file, image and annotation of a
    labelled person without ``bbox_head`` or with an empty one, and of
    ignore-region lists that do not pair up.

    Args:
        ann_file (str): Ground truth, PoseTrack18 (COCO-style) format with
            ``bbox_head`` per person and ``ignore_regions_x/y`` per image.
        outfile_prefix (str, optional): Folder for per-video prediction JSON
            files in the official format (every frame of the video listed in
            ``ann_file``); None writes nothing.
        pckh_thr (float): PCKh threshold. Default: 0.5.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Default: ``'cpu'``.
        prefix (str, optional): Metric key prefix. Default: ``posetrack``.
    """
    default_prefix = 'posetrack'

    def __init__(self, ann_file, outfile_prefix=None, pckh_thr=0.5,
                 collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self.outfile_prefix = outfile_prefix
        self.pckh_thr = pckh_thr
        self.data, self.frames, (nan_joints, first) = load_ground_truth(
            ann_file)
        if nan_joints:
            MMLogger.get_current_instance().warning(
                f'{ann_file}: {nan_joints} labelled joints have NaN or '
                f'infinite coordinates (first: {first}); they count as not '
                'annotated. Fix them in the file to evaluate them')
        self.num_keypoints = len(self.data['categories'][0]['keypoints'])

    def process(self, data_batch, data_samples):
        k = self.num_keypoints
        for sample in data_samples:
            pred = sample['pred_instances']
            shape = np.shape(pred['keypoints'])
            if len(shape) != 3 or shape[1] != k:
                raise ValueError(
                    f'a prediction for image {sample.get("img_id")} has '
                    f'keypoints of shape {shape}, but {self.ann_file} '
                    f'defines {k} joints: give (N, {k}, 2) keypoints in the '
                    "annotation file's joint order")
            box_score = np.asarray(
                sample['gt_instances'].get('bbox_scores', np.ones(1)))
            for kpts, scores, bs in zip(pred['keypoints'],
                                        pred['keypoint_scores'],
                                        np.broadcast_to(box_score,
                                                        len(pred['keypoints']))
                                        ):
                self.results.append(
                    dict(img_id=sample['img_id'],
                         keypoints=np.asarray(kpts, dtype=np.float64)[:, :2],
                         scores=np.asarray(scores, dtype=np.float64) *
                         float(bs)))

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        by_frame = defaultdict(list)
        for res in results:
            by_frame[res['img_id']].append(res)
        if self.outfile_prefix:
            self._write_predictions(self.data, by_frame)
        k = self.num_keypoints
        ap, non_finite = posetrack_ap(
            self.frames, {
                img_id: (np.reshape([p['keypoints'] for p in preds],
                                    (-1, k, 2)),
                         np.reshape([p['scores'] for p in preds], (-1, k)))
                for img_id, preds in by_frame.items()
            }, self.pckh_thr)
        if non_finite:
            logger.warning(f'PoseTrack mAP: {non_finite} predicted joints '
                           'with NaN or infinite coordinates or scores were '
                           'treated as absent')
        metrics = ap_table(ap)
        logger.info('PoseTrack mAP (PCKh@%.1f, %d frames)\n%s',
                    self.pckh_thr, len(self.frames), format_table(metrics))
        return metrics

    def _write_predictions(self, data, by_frame):
        """One JSON per video in the PoseTrack18 format."""
        os.makedirs(self.outfile_prefix, exist_ok=True)
        videos = defaultdict(list)
        for img in data['images']:
            videos[osp.basename(osp.dirname(img['file_name']))].append(img)
        for video, images in videos.items():
            anns = []
            for img in images:
                for track_id, p in enumerate(by_frame.get(img['id'], [])):
                    kpts = np.concatenate(
                        [p['keypoints'], np.ones((len(p['scores']), 1))], 1)
                    anns.append(dict(
                        image_id=img['id'], category_id=1,
                        track_id=track_id,
                        keypoints=kpts.reshape(-1).round(2).tolist(),
                        scores=np.round(p['scores'], 4).tolist()))
            with open(osp.join(self.outfile_prefix, f'{video}.json'),
                      'w') as f:
                json.dump(dict(images=images, annotations=anns,
                               categories=data['categories']), f)
