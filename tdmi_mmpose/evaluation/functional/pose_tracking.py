"""PoseTrack's multi-person pose tracking MOTA, as poseval computes it,
without poseval (a git-only package of an old Python): the same per-joint
``motmetrics`` accumulators, the same distance rule and the same quirks.

A sequence is a list of labelled frames in order; each frame a dict:

- ``gt_ids`` ``(G,)``, ``gt_joints`` ``(G, J, 2)``, ``gt_visible``
  ``(G, J)`` bool, ``head_size`` ``(G,)`` (0.6 x the head box's diagonal);
- ``pr_ids`` ``(P,)``, ``pr_joints`` ``(P, J, 2)``, ``pr_present``
  ``(P, J)`` bool,

with ignore regions already applied and ``J`` the evaluated joints (the
15 of PoseTrack).

poseval's rules, followed so that the numbers compare with published ones
(each is one line of :func:`accumulate`):

- a predicted joint matches an annotated one of the same joint type when
  their distance over the annotated person's head size is at most 0.5;
  motmetrics then assigns matches frame by frame, keeping last frame's
  matches where they still hold, and counts misses, false positives and
  identity switches;
- a frame without predicted people (or without annotated people) counts
  one dummy miss and one dummy false positive for every joint; predicted
  people without any joint are people (their frame counts misses);
- a predicted joint is absent only when x = y = score = 0 (one at (0, 0)
  with a score is a false positive there);
- the last labelled frame of every sequence is not evaluated;
- counts are summed over sequences; per joint MOTA = 100 (1 - (misses +
  switches + false positives) / objects), MOTP = 100 (1 - sum of matched
  distances / detections), precision and recall from detections (matches
  and switches), 0/0 giving NaN; the totals are means over the joints,
  NaN skipped.

One deliberate difference, a choice: MOTP sums the distances of matches
and switches only (the pairs the metric counts as detections), while
poseval sums every distance motmetrics' event log holds, candidate pairs
(``RAW`` rows) included, which lowers its MOTP by counting pairs that were
never matched. poseval's figure is computed beside it (``motp_poseval``)
so that published numbers can be compared.
"""
import warnings

import numpy as np

MOTA_COUNTS = ('num_misses', 'num_switches', 'num_false_positives',
               'num_objects', 'num_detections')


def joint_distances(frame, joint, thr=0.5):
    """poseval's input to the accumulator of ``joint`` in one frame.

    Returns:
        tuple: ground-truth ids and predicted ids that have the joint, and
        their ``(G_j, P_j)`` head-normalised distances, NaN where above
        ``thr`` (no match possible).
    """
    gt, pr, dist = joint_pairs(frame, joint)
    dist[~(dist <= thr)] = np.nan
    return [int(i) for i in gt], [int(i) for i in pr], dist


def joint_pairs(frame, joint):
    """The ids of the annotated and of the predicted people that have
    ``joint`` in a frame, and their ``(G_j, P_j)`` distances over the
    annotated person's head size."""
    gt = np.flatnonzero(frame['gt_visible'][:, joint])
    pr = np.flatnonzero(frame['pr_present'][:, joint])
    dist = np.linalg.norm(
        frame['gt_joints'][gt, None, joint] - frame['pr_joints'][None, pr,
                                                                 joint],
        axis=-1) / frame['head_size'][gt, None]
    return (np.asarray(frame['gt_ids'])[gt], np.asarray(frame['pr_ids'])[pr],
            dist)


def accumulate(sequence, num_joints, thr=0.5, skip_last=True):
    """Per joint counts of one sequence (poseval's ``computeMetrics`` of one
    sequence).

    Args:
        sequence (list[dict]): Labelled frames in order (see the module).
        num_joints (int): ``J``.
        thr (float): Match threshold over the head size. Default: 0.5.
        skip_last (bool): Leave the last frame out, as poseval does.
            Default: True.

    Returns:
        dict[str, ndarray]: ``(J,)`` counts :data:`MOTA_COUNTS` and
        ``sum_distances``.
    """
    import motmetrics as mm
    accs = [mm.MOTAccumulator(auto_id=True) for _ in range(num_joints)]
    frames = sequence[:-1] if skip_last else sequence  # poseval's quirk
    for frame in frames:
        empty = len(frame['pr_ids']) == 0 or len(frame['gt_ids']) == 0
        for j, acc in enumerate(accs):
            if empty:  # poseval: one dummy miss and false positive
                acc.update([0], [0], np.full((1, 1), np.nan))
            else:
                acc.update(*joint_distances(frame, j, thr))
    counts = {name: np.zeros(num_joints) for name in MOTA_COUNTS}
    counts['sum_distances'] = np.zeros(num_joints)
    counts['sum_distances_all'] = np.zeros(num_joints)
    metrics = mm.metrics.create()
    for j, acc in enumerate(accs):
        with warnings.catch_warnings():  # pandas' future warnings
            warnings.simplefilter('ignore')
            out = metrics.compute(acc, metrics=list(MOTA_COUNTS),
                                  return_dataframe=False, name='acc')
        for name in MOTA_COUNTS:
            counts[name][j] = out[name]
        # the distances of matches and switches, the events poseval's
        # motmetrics logged (newer ones also log every candidate pair)
        events = acc.mot_events
        d = events['D'][events['Type'].isin(['MATCH', 'SWITCH'])].sum() \
            if len(events) else 0.0
        counts['sum_distances'][j] = 0.0 if np.isnan(d) else d
        # poseval's sum: every row of the full event log, the candidate
        # pairs (RAW) and the transfer events included (NaN skipped)
        every = acc.events
        counts['sum_distances_all'][j] = float(np.nansum(every['D'])) \
            if len(every) else 0.0
    return counts


def mota_from_counts(counts):
    """poseval's final metrics from counts summed over sequences.

    Returns:
        dict[str, ndarray]: ``(J,)`` ``mota``, ``motp``, ``precision``,
        ``recall`` (percent; NaN where a ratio is 0/0: MOTA and recall of a
        joint without annotations, MOTP and precision of one without
        detections and false positives), ``switches``.
    """
    objects = counts['num_objects']
    det = counts['num_detections']
    fp = counts['num_false_positives']
    errors = counts['num_misses'] + counts['num_switches'] + fp
    with np.errstate(divide='ignore', invalid='ignore'):
        # 0/0 is NaN, as in poseval: a joint without detections and false
        # positives (or without objects) is left out of the totals
        mota = np.where(objects > 0, 100 * (1 - errors / objects), np.nan)
        motp = np.where(det > 0, 100 * (1 - counts['sum_distances'] / det),
                        np.nan)
        motp_poseval = np.where(
            det > 0, 100 * (1 - counts.get(
                'sum_distances_all', counts['sum_distances']) / det), np.nan)
        precision = 100 * det / (det + fp)
        recall = 100 * det / objects
    return dict(mota=mota, motp=motp, motp_poseval=motp_poseval,
                precision=precision, recall=recall,
                switches=counts['num_switches'].copy())


def pose_tracking_mota(sequences, num_joints, thr=0.5, skip_last=True):
    """PoseTrack MOTA over sequences, per joint and in total.

    Args:
        sequences (list[list[dict]]): Each sequence's labelled frames.
        num_joints (int): ``J``.
        thr (float): Match threshold over the head size. Default: 0.5.
        skip_last (bool): poseval's skip of each sequence's last frame.

    Returns:
        dict: per joint ``(J,)`` arrays of :func:`mota_from_counts`, the
        summed ``counts``, and ``total``: MOTA, MOTP, precision and recall
        as means over joints (NaN skipped), switches summed.
    """
    total = None
    for sequence in sequences:
        counts = accumulate(sequence, num_joints, thr, skip_last)
        total = counts if total is None else {
            k: total[k] + v for k, v in counts.items()}
    if total is None:
        total = {k: np.zeros(num_joints) for k in (
            *MOTA_COUNTS, 'sum_distances', 'sum_distances_all')}
    out = mota_from_counts(total)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)  # all-NaN joints
        out['total'] = {k: float(np.nanmean(v)) for k, v in out.items()
                        if k != 'switches'}
    out['total']['switches'] = float(out['switches'].sum())
    out['counts'] = total
    return out


# PoseTrack21's keypoint HOTA: TrackEval's HOTA with a keypoint similarity
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
