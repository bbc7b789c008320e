"""Statistics of per-seed results: the mean, sample standard deviation and
95% t-interval of a model, and the paired-by-seed difference of each model
to a reference (same data and seeds)."""
import math

from .models import MODELS, SUBSET_NAMES as SUBSETS


def t_quantile(dof):
    """Two-sided 95% quantile of Student's t with ``dof`` degrees."""
    from scipy.stats import t
    return float(t.ppf(0.975, dof))


def summary(values):
    """Mean, sample standard deviation and 95% confidence interval (t)
    of per-seed values; one value has no spread (std and CI are NaN)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return dict(n=n, mean=mean, std=math.nan, ci95=[math.nan, math.nan])
    std = math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))
    half = t_quantile(n - 1) * std / math.sqrt(n)
    return dict(n=n, mean=mean, std=std, ci95=[mean - half, mean + half])


def aggregate(runs, names, reference, seeds):
    """Per model and subset: the summary of its seeds and the paired
    difference to ``reference`` over the seeds both have."""
    out = {}
    for name in names:
        out[name] = {}
        for subset in SUBSETS:
            mine = {s: runs[name][s][subset] for s in seeds
                    if s in runs.get(name, {})}
            if not mine:
                continue
            entry = dict(summary(list(mine.values())))
            ref = {s: runs[reference][s][subset] for s in seeds
                   if s in runs.get(reference, {})}
            paired = [mine[s] - ref[s] for s in mine if s in ref]
            if name != reference and paired:
                entry['minus_reference'] = summary(paired)
            out[name][subset] = entry
    return out


def paired_fields(record, keys, reference, fields, seeds):
    """Per run key and field: the summary over ``seeds`` of a
    :class:`RunRecord` and, for keys other than their reference, the paired
    difference to it.

    Args:
        record (RunRecord): The runs (one dict of fields per key and seed).
        keys (list[str]): The run keys.
        reference (callable): Key -> the key it is paired against.
        fields (tuple[str]): The fields summarised.
        seeds (list[int]): The seeds.
    """
    stats = {}
    for key in keys:
        runs = record.by_seed(key, seeds)
        ref = record.by_seed(reference(key), seeds)
        stats[key] = {}
        for field in fields:
            entry = summary([runs[s][field] for s in seeds])
            if key != reference(key):
                entry['minus_reference'] = summary(
                    [runs[s][field] - ref[s][field] for s in seeds])
            stats[key][field] = entry
    return stats


def training_minutes(runs, names, seeds):
    """Per model: the summary of its runs' training minutes, a warm
    start's counting the run it starts from; models whose runs carry no
    training time (recorded before it was) are left out."""
    out = {}
    for name in names:
        base = MODELS[name].warm_from if name in MODELS else None
        values = []
        for seed in seeds:
            chain = [runs.get(name, {}).get(seed)]
            if base:
                chain.append(runs.get(base, {}).get(seed))
            if all(r and r.get('train_seconds') is not None for r in chain):
                values.append(sum(r['train_seconds'] for r in chain) / 60)
        if values:
            out[name] = summary(values)
    return out


def fmt(entry):
    """``mean ± std [lo, hi]`` of a summary (``—`` for none; the parts a
    summary lacks are left out)."""
    if entry is None or entry.get('mean') is None:
        return '—'
    if entry.get('std') is None or math.isnan(entry['std']):
        return f'{entry["mean"]:.1f}'
    if entry.get('ci95') is None:
        return f'{entry["mean"]:.1f} ± {entry["std"]:.1f}'
    lo, hi = entry['ci95']
    return (f'{entry["mean"]:.1f} ± {entry["std"]:.1f} '
            f'[{lo:.1f}, {hi:.1f}]')


def fmt_diff(entry, digits=1):
    """``+d [lo, hi]`` of a paired difference, `` *`` where the interval
    excludes 0 (``—`` for none), with ``digits`` decimals."""
    if entry is None:
        return '—'
    if entry.get('ci95') is None or math.isnan(entry['ci95'][0]):
        return f'{entry["mean"]:+.{digits}f}'
    lo, hi = entry['ci95']
    mark = '' if lo <= 0 <= hi else ' *'
    return (f'{entry["mean"]:+.{digits}f} [{lo:+.{digits}f}, '
            f'{hi:+.{digits}f}]{mark}')
