"""Figures of the experiments, drawn with matplotlib (Agg) from the
results those tools write, next to them:

* :func:`results_figure`: mAP on all / degraded / clean key frames per
  model, one point per seed where several exist (``tools/main_job.py``);
* :func:`forest_figure`: every paired difference to the reference with its
  95% interval, grouped by subset, the zero line marked
  (``tools/analysis/ablation.py``);
* :func:`cost_figure`: mAP against training minutes, intervals as bars
  (``tools/analysis/ablation.py`` when its runs carry their training time);
* :func:`frontier_figure`: mAP against frames per second of video
  pipelines, intervals as bars (``tools/analysis/frontier.py``);
* :func:`interval_figure`: one measure per entry with its 95% interval
  (``tools/analysis/tracking.py``).

Each writes one PNG and returns its path; none writes an empty figure (a
``ValueError`` says what to run first). The PNG's ``Description`` text
holds, as JSON, its axes labels and the labels of its entries.
"""
import json
import math

SUBSETS = ('all', 'degraded', 'clean')
COLOURS = ('#1f77b4', '#d62728', '#2ca02c')


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _save(fig, out, caption, entries):
    if caption:
        fig.text(0.01, -0.06, caption, fontsize=7, color='#555555',
                 ha='left', va='top')
    axes = fig.get_axes()
    info = dict(xlabel=[ax.get_xlabel() for ax in axes],
                ylabel=[ax.get_ylabel() for ax in axes],
                entries=list(entries), caption=caption or '')
    fig.savefig(out, dpi=110, bbox_inches='tight',
                metadata={'Description': json.dumps(info)})
    _pyplot().close(fig)
    return out


def results_figure(per_model, out, caption=None):
    """mAP per model and subset: a bar for the mean, a dot per seed.

    Args:
        per_model (dict[str, dict[str, list[float]]]): label -> subset ->
            the mAP of each seed.
        out (str): PNG path.
        caption (str, optional): Command and date, under the plot.
    """
    if not per_model:
        raise ValueError('no results to draw: train and evaluate a model '
                         'first')
    plt = _pyplot()
    labels = list(per_model)
    fig, ax = plt.subplots(figsize=(1.6 + 1.7 * len(labels), 3.4))
    width = 0.8 / len(SUBSETS)
    for j, (subset, colour) in enumerate(zip(SUBSETS, COLOURS)):
        for i, label in enumerate(labels):
            values = per_model[label].get(subset, [])
            if not values:
                continue
            x = i + (j - 1) * width
            ax.bar(x, sum(values) / len(values), width * 0.9, color=colour,
                   alpha=0.45, label=subset if i == 0 else None)
            ax.plot([x] * len(values), values, 'o', color=colour, ms=3.5)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel('PoseTrack mAP')
    ax.set_title('mAP by key frames (bar: mean, dots: seeds)', fontsize=9)
    ax.legend(fontsize=8, frameon=False, ncol=3, loc='upper left')
    ax.grid(axis='y', alpha=0.3)
    return _save(fig, out, caption, labels)


def forest_figure(rows, reference, out, caption=None):
    """Paired differences to ``reference`` with 95% intervals.

    Args:
        rows (list[tuple[str, dict]]): ``(label, {subset: summary})`` per
            model, a summary with ``mean`` and ``ci95`` (NaN bounds are
            drawn as a point).
        reference (str): The reference's label.
        out (str): PNG path.
        caption (str, optional): Command and date, under the plot.
    """
    rows = [(label, diffs) for label, diffs in rows if diffs]
    if not rows:
        raise ValueError('no paired difference to draw: the work dir holds '
                         'no model besides the reference with two seeds')
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(SUBSETS), sharey=True,
                             figsize=(9, 0.9 + 0.42 * len(rows)))
    for ax, subset, colour in zip(axes, SUBSETS, COLOURS):
        for y, (label, diffs) in enumerate(rows):
            entry = diffs.get(subset)
            if entry is None:
                continue
            lo, hi = entry['ci95']
            if not (math.isnan(lo) or math.isnan(hi)):
                ax.plot([lo, hi], [y, y], '-', color=colour, lw=2)
            ax.plot([entry['mean']], [y], 'o', color=colour, ms=5)
        ax.axvline(0, color='black', lw=0.8)
        ax.set_title(f'{subset} key frames', fontsize=9)
        ax.set_xlabel('mAP difference', fontsize=8)
        ax.grid(axis='x', alpha=0.3)
    fig.suptitle(f'paired difference to {reference}, 95% interval',
                 fontsize=9, y=1.06)
    axes[0].set_yticks(range(len(rows)))
    axes[0].set_yticklabels([label for label, _ in rows], fontsize=8)
    axes[0].invert_yaxis()
    return _save(fig, out, caption, [label for label, _ in rows])


def _errorbar_figure(points, xlabel, title, out, caption, log_x=False):
    """Scatter of ``(label, x, y summary)`` with the intervals as bars."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for k, (label, x, entry) in enumerate(points):
        lo, hi = entry['ci95']
        err = None
        if not (math.isnan(lo) or math.isnan(hi)):
            err = [[entry['mean'] - lo], [hi - entry['mean']]]
        ax.errorbar([x], [entry['mean']], yerr=err, fmt='o', capsize=3,
                    color=f'C{k % 10}', label=label)
    if log_x:
        ax.set_xscale('log')
    ax.set_xlabel(xlabel)
    ax.set_ylabel('PoseTrack mAP (all key frames)')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc='best')
    return _save(fig, out, caption, [label for label, _, _ in points])


def cost_figure(points, out, caption=None):
    """mAP against training minutes.

    Args:
        points (list[tuple[str, float, dict]]): ``(label, minutes, summary
            of the mAP on all key frames)`` per model.
        out (str): PNG path.
        caption (str, optional): Command and date, under the plot.
    """
    if len(points) < 1:
        raise ValueError('no run carries its training time: run '
                         'ablation.py (a set of models) first')
    return _errorbar_figure(points, 'training minutes (one CPU thread)',
                            'accuracy against training cost', out, caption)


def frontier_figure(points, out, caption=None):
    """mAP against frames per second of video pipelines.

    Args:
        points (list[tuple[str, float, dict]]): ``(label, frames per
            second, summary of the mAP on all key frames)`` per pipeline.
        out (str): PNG path.
        caption (str, optional): Command and date, under the plot.
    """
    if len(points) < 1:
        raise ValueError('no pipeline measured: run '
                         'tools/analysis/frontier.py first')
    return _errorbar_figure(points, 'frames per second',
                            'speed / accuracy of the video pipelines', out,
                            caption)


def interval_figure(rows, xlabel, title, out, caption=None):
    """One horizontal 95% interval per entry.

    Args:
        rows (list[tuple[str, dict]]): ``(label, summary)`` (``mean``,
            ``ci95``).
        xlabel (str): What is measured.
        title (str): The figure's title.
        out (str): PNG path.
        caption (str, optional): Command and date, under the plot.
    """
    if not rows:
        raise ValueError('nothing to draw: run the measurement first')
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.42 * len(rows)))
    for y, (label, entry) in enumerate(rows):
        lo, hi = entry['ci95']
        if not (math.isnan(lo) or math.isnan(hi)):
            ax.plot([lo, hi], [y, y], '-', color=COLOURS[0], lw=2)
        ax.plot([entry['mean']], [y], 'o', color=COLOURS[0], ms=5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label for label, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.grid(axis='x', alpha=0.3)
    return _save(fig, out, caption, [label for label, _ in rows])
