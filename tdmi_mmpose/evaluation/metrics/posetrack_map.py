"""PoseTrack mAP (the official poseval AP), without poseval."""
import json
import os
import os.path as osp
from collections import defaultdict

import numpy as np
from matplotlib.path import Path
from mmengine.evaluator import BaseMetric
from mmengine.fileio import get_local_path
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

# The 15 official PoseTrack joints as indices into the 17-joint PoseTrack18
# layout (the unannotated ears are dropped; head_bottom is the neck).
POSETRACK15 = (0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)
# Table rows of the paper (Table 1-3), as 17-joint indices.
JOINT_GROUPS = (('Head', (0, 1, 2)), ('Shoulder', (5, 6)), ('Elbow', (7, 8)),
                ('Wrist', (9, 10)), ('Hip', (11, 12)), ('Knee', (13, 14)),
                ('Ankle', (15, 16)))


def average_precision(scores, labels, num_gt):
    """poseval's AP: precision/recall over predictions sorted by score, the
    all-point interpolated area under the precision envelope, in percent.

    Predictions with equal scores form one threshold (their TP/FP order
    does not matter), so the result does not depend on prediction order.

    Args:
        scores (array): ``(N,)`` confidence of each predicted joint.
        labels (array): ``(N,)`` 1 for a true positive, 0 otherwise.
        num_gt (int): Number of ground-truth joints.

    Returns:
        float: AP in [0, 100]; NaN when ``num_gt == 0``.
    """
    if num_gt == 0:
        return float('nan')
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    if scores.size == 0:
        return 0.0
    order = np.argsort(-scores, kind='stable')
    scores, labels = scores[order], labels[order]
    tp = np.cumsum(labels)
    # last index of every group of equal scores
    ends = np.r_[np.nonzero(np.diff(scores))[0], scores.size - 1]
    recall = tp[ends] / num_gt
    precision = tp[ends] / (ends + 1)
    mrec = np.r_[0.0, recall, 1.0]
    mpre = np.r_[0.0, precision, 0.0]
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    step = np.nonzero(mrec[1:] != mrec[:-1])[0] + 1
    return float(np.sum((mrec[step] - mrec[step - 1]) * mpre[step]) * 100)


def _nan_mean(values):
    """Mean over the joints that have ground truth (NaN if none has)."""
    values = [v for v in values if not np.isnan(v)]
    return float(np.mean(values)) if values else float('nan')


def _inside_any(points, polygons):
    """``(N,)`` bool: which ``(N, 2)`` points lie in one of the polygons."""
    inside = np.zeros(len(points), dtype=bool)
    for poly in polygons:
        if len(poly) >= 3:
            inside |= Path(poly).contains_points(points)
    return inside


def match_frame(gt, preds, thr):
    """poseval's per-frame assignment of predicted to ground-truth people.

    ``pck[p, g]`` is the fraction of person ``g``'s annotated joints that
    prediction ``p`` places within ``thr * head_size``; each prediction keeps
    only its best person, each person takes its best remaining prediction
    (ties: the higher-scoring prediction), pairs with ``pck == 0`` are not
    matched.

    Args:
        gt (dict): ``joints (G, J, 2)``, ``visible (G, J)`` bool,
            ``head_size (G,)``.
        preds (dict): ``joints (P, J, 2)``, ``present (P, J)`` bool,
            ``scores (P, J)``.
        thr (float): PCKh threshold.

    Returns:
        ndarray: ``(P, J)`` 1 where a predicted joint is a true positive.
    """
    num_pr, num_joints = preds['present'].shape
    tp = np.zeros((num_pr, num_joints))
    num_gt = len(gt['joints'])
    if num_pr == 0 or num_gt == 0:
        return tp
    dist = np.linalg.norm(
        preds['joints'][:, None] - gt['joints'][None], axis=-1)
    dist /= gt['head_size'][None, :, None]
    hit = ((dist <= thr) & preds['present'][:, None]
           & gt['visible'][None])  # (P, G, J)
    pck = hit.sum(-1) / np.maximum(gt['visible'].sum(-1), 1)[None]
    best_gt = np.argmax(pck, axis=1)
    pck = np.where(np.arange(num_gt)[None] == best_gt[:, None], pck, 0)
    mean_score = np.where(preds['present'], preds['scores'], 0).sum(-1)
    for g in range(num_gt):
        if pck[:, g].max() <= 0:
            continue
        candidates = np.nonzero(pck[:, g] == pck[:, g].max())[0]
        p = candidates[np.argmax(mean_score[candidates])]
        tp[p] = hit[p, g]
    return tp


@METRICS.register_module()
class PoseTrackMAPMetric(BaseMetric):
    """PoseTrack multi-person pose AP, as the official ``poseval`` defines
    it, computed here because poseval cannot be installed from the package
    index.

    Per labelled frame: predicted and annotated joints inside an ignore
    region are dropped; people are matched by PCKh (:func:`match_frame`); a
    predicted joint is a true positive when its person is matched and it
    lies within ``pckh_thr`` times the head size (0.6 x the diagonal of the
    annotated head box) of that person's annotated joint. AP per joint over
    all frames (:func:`average_precision`), on the 15 official joints; the
    table rows average joints as the paper does and ``Mean`` averages the 15
    joints. A joint's score is its heatmap maximum times its box score.

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

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            pred = sample['pred_instances']
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

    def _load_gt(self):
        with get_local_path(self.ann_file) as path, open(path) as f:
            data = json.load(f)
        images = {img['id']: img for img in data['images']}
        people = defaultdict(list)
        for ann in data['annotations']:
            people[ann['image_id']].append(ann)
        k = len(data['categories'][0]['keypoints'])
        frames = {}
        for img_id, img in images.items():
            if not img.get('is_labeled', img_id in people):
                continue
            joints, visible, head = [], [], []
            for ann in people[img_id]:
                kpts = np.asarray(ann.get('keypoints', []),
                                  dtype=np.float64).reshape(-1, 3)
                if len(kpts) == 0 or not np.any(kpts[:, 2] > 0):
                    continue
                if 'bbox_head' not in ann:
                    raise KeyError(
                        f'{self.ann_file}: annotation {ann.get("id")} of '
                        f'image {img_id} has joints but no bbox_head, which '
                        'PCKh needs')
                _, _, w, h = ann['bbox_head']
                joints.append(kpts[:, :2])
                visible.append(kpts[:, 2] > 0)
                head.append(0.6 * np.hypot(w, h))
            polys = [
                np.stack([xs, ys], axis=1) for xs, ys in zip(
                    img.get('ignore_regions_x', []),
                    img.get('ignore_regions_y', []))
            ]
            joints = np.asarray(joints, dtype=np.float64).reshape(-1, k, 2)
            visible = np.asarray(visible, dtype=bool).reshape(-1, k)
            if polys and len(joints):
                # as poseval: annotated joints in ignore regions don't count
                visible &= ~_inside_any(joints.reshape(-1, 2),
                                        polys).reshape(visible.shape)
            keep = visible.any(-1)
            frames[img_id] = dict(
                joints=joints[keep], visible=visible[keep],
                head_size=np.asarray(head, dtype=np.float64)[keep],
                ignore=polys)
        return data, frames

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        data, frames = self._load_gt()
        by_frame = defaultdict(list)
        for res in results:
            by_frame[res['img_id']].append(res)
        if self.outfile_prefix:
            self._write_predictions(data, by_frame)
        joints = np.asarray(POSETRACK15)
        scores = [[] for _ in joints]
        labels = [[] for _ in joints]
        num_gt = np.zeros(len(joints), dtype=int)
        for img_id, gt in frames.items():
            preds = by_frame.get(img_id, [])
            pr_joints = np.asarray([p['keypoints'] for p in preds]).reshape(
                len(preds), -1, 2)[:, joints]
            pr_scores = np.asarray([p['scores'] for p in preds]).reshape(
                len(preds), -1)[:, joints]
            present = np.ones(pr_scores.shape, dtype=bool)
            if gt['ignore'] and len(preds):
                present &= ~_inside_any(pr_joints.reshape(-1, 2),
                                        gt['ignore']).reshape(present.shape)
            gt_j = dict(joints=gt['joints'][:, joints],
                        visible=gt['visible'][:, joints],
                        head_size=gt['head_size'])
            tp = match_frame(
                gt_j, dict(joints=pr_joints, present=present,
                           scores=pr_scores), self.pckh_thr)
            num_gt += gt_j['visible'].sum(0)
            for j in range(len(joints)):
                scores[j].extend(pr_scores[present[:, j], j])
                labels[j].extend(tp[present[:, j], j])
        ap = {
            int(k): average_precision(scores[j], labels[j], num_gt[j])
            for j, k in enumerate(joints)
        }
        metrics = {
            name: _nan_mean([ap[k] for k in idx])
            for name, idx in JOINT_GROUPS
        }
        metrics['Mean'] = _nan_mean(list(ap.values()))
        logger.info('PoseTrack mAP (PCKh@%.1f, %d frames)\n%s',
                    self.pckh_thr, len(frames), self.format_table(metrics))
        return metrics

    @staticmethod
    def format_table(metrics):
        """The per-joint table of the paper as text."""
        names = [name for name, _ in JOINT_GROUPS] + ['Mean']
        head = ' | '.join(f'{n:>8}' for n in names)
        row = ' | '.join(f'{metrics[n]:8.1f}' for n in names)
        return f'{head}\n{row}'

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
