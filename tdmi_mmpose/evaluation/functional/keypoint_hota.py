"""PoseTrack21's multi-person pose tracking keypoint HOTA (TrackEval's HOTA
with a keypoint similarity), written anew: the PoseTrack21 kit pins numpy
1.22. Sequences are those of :mod:`.posetrack_mota`."""
import numpy as np

from .posetrack_mota import joint_pairs

ALPHAS = np.arange(0.05, 0.99, 0.05)  # TrackEval's 19 thresholds
EPS = np.finfo(float).eps


def keypoint_similarity(frame, joint, thr=0.5001, positive_only=True):
    """Ids with the joint and their ``(G_j, P_j)`` similarity
    ``max(1 - d / thr, 0)``, ``d`` the head-normalised distance (PoseTrack21:
    ``thr`` 0.5001). With ``positive_only`` a joint counts only where
    ``x > 0`` and ``y > 0``, as the PoseTrack21 kit has it (a prediction
    or an annotation off the image's top or left edge is ignored, not a
    false positive or a miss)."""
    if positive_only:
        frame = dict(frame, pr_present=frame['pr_present'].copy(),
                     gt_visible=frame['gt_visible'].copy())
        for side, mask in (('pr_joints', 'pr_present'),
                           ('gt_joints', 'gt_visible')):
            xy = frame[side][:, joint]
            frame[mask][:, joint] &= (xy[:, 0] > 0) & (xy[:, 1] > 0)
    gt, pr, d = joint_pairs(frame, joint)
    return gt, pr, np.maximum(1 - d / thr, 0)


def hota_sequence(sequence, joint, positive_only=True):
    """PoseTrack21's HOTA counts of one joint in one sequence (every
    labelled frame): TrackEval's HOTA, people matched frame by frame by
    their keypoint similarity alone (as the PoseTrack21 kit does; TrackEval
    weights it by the global alignment), and the fragments of each match
    (a run of frames in which an annotated person keeps the same predicted
    id) for FragA. A frame without annotated (predicted) people counts its
    own predicted (annotated) joints as false positives (misses).

    Returns:
        dict[str, ndarray]: ``(A,)`` over :data:`ALPHAS`: ``TP``, ``FN``,
        ``FP`` and ``AssA``, ``FragA``, ``LocA`` (combined over sequences
        weighted by ``TP``).
    """
    from collections import Counter

    from scipy.optimize import linear_sum_assignment
    frames = [keypoint_similarity(f, joint, positive_only=positive_only)
              for f in sequence]
    gids = {i: k for k, i in enumerate(sorted(
        {int(i) for g, _, _ in frames for i in g}))}
    pids = {i: k for k, i in enumerate(sorted(
        {int(i) for _, p, _ in frames for i in p}))}
    gt_count, pr_count = np.zeros((len(gids), 1)), np.zeros((1, len(pids)))
    frames = [(np.asarray([gids[int(i)] for i in g], int),
               np.asarray([pids[int(i)] for i in p], int), s)
              for g, p, s in frames]
    for g, p, _ in frames:
        gt_count[g] += 1
        pr_count[0, p] += 1
    res = {k: np.zeros(len(ALPHAS)) for k in ('TP', 'FN', 'FP', 'LocA')}
    matches = np.zeros((len(ALPHAS), len(gids), len(pids)))
    last = np.full((len(ALPHAS), len(gids)), -1)
    started = [Counter() for _ in ALPHAS]  # (gt, pred) -> fragments begun
    fragments = [Counter() for _ in ALPHAS]  # (gt, pred, k) -> matches
    for g, p, sim in frames:
        if not len(g) or not len(p):
            res['FN'] += len(g)
            res['FP'] += len(p)
            continue
        rows, cols = linear_sum_assignment(-sim)
        for a, alpha in enumerate(ALPHAS):
            ok = sim[rows, cols] >= alpha - EPS
            n = int(ok.sum())
            res['TP'][a] += n
            res['FN'][a] += len(g) - n
            res['FP'][a] += len(p) - n
            res['LocA'][a] += sim[rows[ok], cols[ok]].sum()
            for gi, pi in zip(g[rows[ok]], p[cols[ok]]):
                matches[a, gi, pi] += 1
                if last[a, gi] != pi:  # a new fragment of this pair
                    last[a, gi] = pi
                    started[a][gi, pi] += 1
                fragments[a][gi, pi, started[a][gi, pi]] += 1
    denom = [np.maximum(1, gt_count + pr_count - m) for m in matches]
    tp = np.maximum(1, res['TP'])
    res['AssA'] = np.array([np.sum(m * m / d) for m, d in
                            zip(matches, denom)]) / tp
    res['FragA'] = np.array([
        sum(n * n / d[gi, pi] for (gi, pi, _), n in f.items())
        for f, d in zip(fragments, denom)]) / tp
    res['LocA'] = np.maximum(1e-10, res['LocA']) / np.maximum(1e-10,
                                                             res['TP'])
    return res


def keypoint_hota(sequences, num_joints, positive_only=True):
    """PoseTrack21's keypoint HOTA: per joint, HOTA over :data:`ALPHAS`
    with :func:`keypoint_similarity` (:func:`hota_sequence`), sequences
    combined as TrackEval combines them (counts summed; AssA, FragA and
    LocA weighted by the true positives), averaged over the thresholds;
    then over the joints. The PoseTrack21 kit's code is not used: it pins
    numpy 1.22 and fails on numpy 2. ``positive_only`` (default, as the
    kit): joints count only where ``x > 0`` and ``y > 0``.

    Returns:
        dict: per joint ``(J,)`` ``HOTA``, ``DetA``, ``AssA``, ``FragA``,
        ``FA-HOTA`` (``sqrt(DetA sqrt(AssA FragA))``), ``LocA``;
        ``total``: the kit's total (what it prints and returns), which
        pools the joints as TrackEval combines classes: DetA from the
        counts summed over joints, AssA, FragA and LocA weighted by each
        joint's true positives, at each threshold; ``joint_mean``: the
        means over the joints.
    """
    fields = ('HOTA', 'DetA', 'AssA', 'FragA', 'FA-HOTA', 'LocA')
    out = {k: np.zeros(num_joints) for k in fields}
    zero = np.zeros(len(ALPHAS))
    pooled = {k: zero.copy() for k in ('TP', 'FN', 'FP', 'AssA', 'FragA',
                                       'LocA')}
    for j in range(num_joints):
        parts = [hota_sequence(s, j, positive_only) for s in sequences]
        counts = {k: sum((p[k] for p in parts), zero)
                  for k in ('TP', 'FN', 'FP')}
        weighted = {k: sum((p[k] * p['TP'] for p in parts), zero)
                    for k in ('AssA', 'FragA', 'LocA')}
        for k, v in {**counts, **weighted}.items():
            pooled[k] += v
        for k, v in hota_fields(counts, weighted).items():
            out[k][j] = v
    out['joint_mean'] = {k: float(v.mean()) for k, v in out.items()}
    out['total'] = hota_fields(pooled, pooled)
    return out


def hota_fields(counts, weighted):
    """HOTA's fields, averaged over :data:`ALPHAS`, from ``TP``, ``FN``,
    ``FP`` and the ``TP``-weighted sums of ``AssA``, ``FragA`` and ``LocA``
    (each ``(A,)``)."""
    tp = counts['TP']
    ass, frag = (weighted[k] / np.maximum(1, tp) for k in ('AssA', 'FragA'))
    loc = np.maximum(1e-10, weighted['LocA']) / np.maximum(1e-10, tp)
    det = tp / np.maximum(1, tp + counts['FN'] + counts['FP'])
    return {'DetA': float(det.mean()), 'AssA': float(ass.mean()),
            'FragA': float(frag.mean()), 'LocA': float(loc.mean()),
            'HOTA': float(np.sqrt(det * ass).mean()),
            'FA-HOTA': float(np.sqrt(det * np.sqrt(ass * frag)).mean())}
