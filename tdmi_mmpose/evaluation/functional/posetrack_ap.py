"""PoseTrack multi-person pose AP, as the official poseval defines it:
people matched per frame by PCKh, AP per joint over all frames."""
import numpy as np

from .posetrack_gt import JOINT_GROUPS, POSETRACK15, group_means, inside_any


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
            :func:`posetrack_ap` drops it before).
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
        preds (dict): ``joints (P, J, 2)``, ``present (P, J)`` bool.
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


def frame_predictions(keypoints, scores, ignore, joints):
    """A frame's predicted people as :func:`match_frame` takes them: a
    joint at (0, 0) (poseval), with NaN or infinite values, or strictly
    inside an ignore region is absent.

    Args:
        keypoints (array): ``(P, K, 2)``.
        scores (array): ``(P, K)``.
        ignore (list[array]): The frame's ignore polygons.
        joints (array): The evaluated joints (``J`` indices).

    Returns:
        tuple: ``(preds, non_finite)``: ``joints (P, J, 2)``,
        ``present (P, J)``, ``scores (P, J)``, and how many evaluated joints
        were not finite.
    """
    finite = np.isfinite(keypoints).all(-1) & np.isfinite(scores)
    non_finite = int((~finite[:, joints]).sum())
    present = finite & np.any(keypoints != 0, axis=-1)
    keypoints = np.where(present[..., None], keypoints, 0)[:, joints]
    scores = np.where(present, scores, 0)[:, joints]
    present = present[:, joints]
    if ignore and len(keypoints):
        present &= ~inside_any(keypoints.reshape(-1, 2),
                               ignore).reshape(present.shape)
    return dict(joints=keypoints, present=present, scores=scores), \
        non_finite


def posetrack_ap(frames, predictions, thr=0.5, joints=POSETRACK15):
    """AP per joint over the labelled frames (poseval's mAP).

    Args:
        frames (dict): Per image id, the ground truth of
            :func:`.posetrack_gt.parse_ground_truth`.
        predictions (dict): Per image id, ``(keypoints (P, K, 2),
            scores (P, K))`` (a joint's score: its heatmap maximum times its
            box score); a frame without an entry has no predictions.
        thr (float): PCKh threshold. Default: 0.5.
        joints (tuple): The evaluated joints. Default: the 15 official
            ones.

    Returns:
        tuple: ``(ap, non_finite)``: AP per joint index (a joint without
        ground truth: NaN when predicted, 0 when not, as poseval) and the
        number of predicted joints treated as absent for NaN or infinite
        values.
    """
    joints = np.asarray(joints)
    scores = [[] for _ in joints]
    labels = [[] for _ in joints]
    num_gt = np.zeros(len(joints), dtype=int)
    non_finite = 0
    for img_id, gt in frames.items():
        k = gt['joints'].shape[1]
        kpts, kpt_scores = predictions.get(img_id, (np.zeros((0, k, 2)),
                                                    np.zeros((0, k))))
        preds, bad = frame_predictions(
            np.asarray(kpts, np.float64).reshape(-1, k, 2),
            np.asarray(kpt_scores, np.float64).reshape(-1, k), gt['ignore'],
            joints)
        non_finite += bad
        gt_j = dict(joints=gt['joints'][:, joints],
                    visible=gt['visible'][:, joints],
                    head_size=gt['head_size'])
        tp = match_frame(gt_j, preds, thr)
        num_gt += gt_j['visible'].sum(0)
        for j in range(len(joints)):
            present = preds['present'][:, j]
            scores[j].extend(preds['scores'][present, j])
            labels[j].extend(tp[present, j])
    ap = {int(k): average_precision(scores[j], labels[j], num_gt[j])
          for j, k in enumerate(joints)}
    return ap, non_finite


def ap_table(ap):
    """The paper's rows of :func:`posetrack_ap`'s AP per joint: a row is
    the mean of its joints (NaN if one is), ``Mean`` the mean of the 15
    joints with NaN skipped."""
    return group_means([ap[k] for k in POSETRACK15], total='Mean')


def format_table(metrics):
    """The per-joint table of the paper as text."""
    names = [name for name, _ in JOINT_GROUPS] + ['Mean']
    head = ' | '.join(f'{n:>8}' for n in names)
    row = ' | '.join(f'{metrics[n]:8.1f}' for n in names)
    return f'{head}\n{row}'
