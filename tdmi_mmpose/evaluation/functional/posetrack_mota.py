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
