"""PoseTrack mAP (the official poseval AP), without poseval."""
import json
import os
import os.path as osp
from collections import defaultdict

import numpy as np
import shapely
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
    This is the one documented difference from poseval, which walks tied
    scores in ``argsort()[::-1]`` order (file order, numpy-version
    dependent).

    Args:
        scores (array): ``(N,)`` confidence of each predicted joint.
        labels (array): ``(N,)`` 1 for a true positive, 0 otherwise.
        num_gt (int): Number of ground-truth joints.

    Returns:
        float: AP in [0, 100]. Without ground truth, as poseval: NaN if
        there are predictions, 0 if there are none.

    Raises:
        ValueError: if a score is NaN or infinite (such a joint is absent;
            :class:`PoseTrackMAPMetric` drops it before).
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        raise ValueError('average_precision got NaN or infinite scores; '
                         'treat those joints as absent before')
    if scores.size == 0:
        return 0.0
    if num_gt == 0:
        return float('nan')
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
    """Mean over the values that are not NaN (NaN if all are)."""
    values = [v for v in values if not np.isnan(v)]
    return float(np.mean(values)) if values else float('nan')


def _inside_any(points, polygons):
    """``(N,)`` bool: which ``(N, 2)`` points lie strictly inside one of the
    polygons (shapely's ``contains``, as poseval: the boundary is
    outside)."""
    inside = np.zeros(len(points), dtype=bool)
    for poly in polygons:
        if len(poly) >= 3:
            inside |= shapely.contains_xy(shapely.Polygon(poly),
                                          points[:, 0], points[:, 1])
    return inside


def match_frame(gt, preds, thr):
    """poseval's per-frame assignment of predicted to ground-truth people.

    ``pck[p, g]`` is the fraction of person ``g``'s annotated joints that
    prediction ``p`` places within ``thr * head_size``; each prediction keeps
    only its best person, each person takes its best remaining prediction
    (ties: the first in prediction order, poseval's ``argmax``), pairs with
    ``pck == 0`` are not matched.

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
    for g in range(num_gt):
        p = np.argmax(pck[:, g])
        if pck[p, g] > 0:
            tp[p] = hit[p, g]
    return tp


@METRICS.register_module()
class PoseTrackMAPMetric(BaseMetric):
    """PoseTrack multi-person pose AP, as the official ``poseval`` defines
    it, computed here because poseval cannot be installed from the package
    index.

    Per labelled frame: predicted and annotated joints strictly inside an
    ignore region are dropped; people are matched by PCKh
    (:func:`match_frame`); a predicted joint is a true positive when its
    person is matched and it lies within ``pckh_thr`` times the head size
    (0.6 x the diagonal of the annotated head box) of that person's
    annotated joint. AP per joint over all frames (:func:`average_precision`),
    on the 15 official joints; the table rows average joints as the paper
    does and ``Mean`` averages the 15 joints. A joint's score is its heatmap
    maximum times its box score. poseval's edge rules are followed: a
    labelled frame without any annotated person is dropped with its
    predictions; a predicted joint at (0, 0) is absent; a joint without
    ground truth has AP NaN (so has its row) when it was predicted and 0
    when it was not, and ``Mean`` skips NaN. NaN or infinite predicted
    coordinates or scores are treated as absent joints (with a warning).
    The one difference: tied scores count as one threshold (see
    :func:`average_precision`).

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
        self.data, self.frames = self._load_gt()
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

    def _load_gt(self):
        """The annotation file and, per labelled frame with at least one
        annotated person, ``joints``, ``visible``, ``head_size``,
        ``track_ids`` (-1 where none is given), ``ignore``."""
        try:
            with get_local_path(self.ann_file) as path, open(path) as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{self.ann_file} is not a JSON file ({err}); '
                             'give the PoseTrack18-format annotation file'
                             ) from err
        images = {img['id']: img for img in data['images']}
        people = defaultdict(list)
        for ann in data['annotations']:
            people[ann['image_id']].append(ann)
        k = len(data['categories'][0]['keypoints'])
        frames = {}
        nan_joints, first_nan = 0, None
        for img_id, img in images.items():
            if not img.get('is_labeled', img_id in people):
                continue
            where = f'{self.ann_file}, image {img_id} ({img.get("file_name")})'
            joints, visible, head, track_ids = [], [], [], []
            for ann in people[img_id]:
                values = ann.get('keypoints') or []
                if len(values) not in (0, 3 * k):
                    raise ValueError(
                        f'{where}: annotation {ann.get("id")} has '
                        f'{len(values)} keypoint values; the file defines '
                        f'{k} joints, so give {3 * k} (x, y, visibility per '
                        'joint)')
                kpts = np.asarray(values, dtype=np.float64).reshape(-1, 3)
                # a labelled joint without finite coordinates: unannotated
                bad = (kpts[:, 2] > 0) & ~np.isfinite(kpts[:, :2]).all(1)
                if bad.any():
                    nan_joints += int(bad.sum())
                    first_nan = first_nan or (
                        f'{where}, annotation {ann.get("id")}, joint '
                        f'{int(np.argmax(bad))}')
                    kpts[bad] = 0
                if len(kpts) == 0 or not np.any(kpts[:, 2] > 0):
                    continue
                box = ann.get('bbox_head')
                if box is None:
                    raise KeyError(
                        f'{where}: annotation {ann.get("id")} has joints but '
                        'no bbox_head, which PCKh needs; add the head box '
                        '[x, y, w, h]')
                if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
                    raise ValueError(
                        f'{where}: annotation {ann.get("id")} has the empty '
                        f'head box {box}: no prediction could match it; fix '
                        'bbox_head [x, y, w, h] or drop its joints')
                joints.append(kpts[:, :2])
                track_ids.append(ann.get('track_id', -1))
                visible.append(kpts[:, 2] > 0)
                head.append(0.6 * np.hypot(box[2], box[3]))
            if not joints:
                continue  # poseval drops frames without annotated people
            xs = img.get('ignore_regions_x', [])
            ys = img.get('ignore_regions_y', [])
            if len(xs) != len(ys) or any(
                    len(x) != len(y) for x, y in zip(xs, ys)):
                raise ValueError(
                    f'{where}: ignore_regions_x and ignore_regions_y do not '
                    f'pair up ({[len(x) for x in xs]} vs '
                    f'{[len(y) for y in ys]} points); give both, one x and '
                    'one y list per region')
            polys = [np.stack([x, y], axis=1).astype(np.float64)
                     for x, y in zip(xs, ys)]
            joints = np.asarray(joints, dtype=np.float64)
            visible = np.asarray(visible, dtype=bool)
            if polys:
                # as poseval: annotated joints in ignore regions don't count
                visible &= ~_inside_any(joints.reshape(-1, 2),
                                        polys).reshape(visible.shape)
            keep = visible.any(-1)
            frames[img_id] = dict(
                joints=joints[keep].reshape(-1, k, 2),
                visible=visible[keep].reshape(-1, k),
                head_size=np.asarray(head, dtype=np.float64)[keep],
                track_ids=np.asarray(track_ids)[keep],
                ignore=polys)
        if nan_joints:
            MMLogger.get_current_instance().warning(
                f'{self.ann_file}: {nan_joints} labelled joints have NaN or '
                f'infinite coordinates (first: {first_nan}); they count as '
                'not annotated. Fix them in the file to evaluate them')
        return data, frames

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        data, frames, k = self.data, self.frames, self.num_keypoints
        by_frame = defaultdict(list)
        for res in results:
            by_frame[res['img_id']].append(res)
        if self.outfile_prefix:
            self._write_predictions(data, by_frame)
        joints = np.asarray(POSETRACK15)
        scores = [[] for _ in joints]
        labels = [[] for _ in joints]
        num_gt = np.zeros(len(joints), dtype=int)
        non_finite = 0
        for img_id, gt in frames.items():
            preds = by_frame.get(img_id, [])
            pr_joints = np.asarray([p['keypoints'] for p in preds],
                                   dtype=np.float64).reshape(-1, k, 2)
            pr_scores = np.asarray([p['scores'] for p in preds],
                                   dtype=np.float64).reshape(-1, k)
            finite = (np.isfinite(pr_joints).all(-1)
                      & np.isfinite(pr_scores))
            non_finite += int((~finite[:, joints]).sum())
            # poseval: a joint at (0, 0) is absent
            present = finite & np.any(pr_joints != 0, axis=-1)
            pr_joints = np.where(present[..., None], pr_joints, 0)[:, joints]
            pr_scores = np.where(present, pr_scores, 0)[:, joints]
            present = present[:, joints]
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
        if non_finite:
            logger.warning(f'PoseTrack mAP: {non_finite} predicted joints '
                           'with NaN or infinite coordinates or scores were '
                           'treated as absent')
        ap = {
            int(k): average_precision(scores[j], labels[j], num_gt[j])
            for j, k in enumerate(joints)
        }
        # as poseval: a row is NaN if one of its joints is; Mean skips NaN
        metrics = {
            name: float(np.mean([ap[k] for k in idx]))
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
