"""Plot training curves from the ``scalars.json`` that mmengine writes into
``<work_dir>/<timestamp>/vis_data/`` (one JSON record per logged step).
Needs only matplotlib (pinned).

Examples:
    python tools/analysis/plot_curves.py work_dirs/main_job/tdmi
    python tools/analysis/plot_curves.py work_dirs/main_job/tdmi \
        work_dirs/main_job/tdmi-no-mi --keys loss_kpt --out kpt.png
"""
import argparse
import glob
import json
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+',
                        help='work dirs, run folders or scalars.json files')
    parser.add_argument('--keys', nargs='+',
                        help='scalars to plot (default: every loss* key)')
    parser.add_argument('--out', default='curves.png', help='image file')
    return parser.parse_args()


def training_curves(path):
    """The curves of the newest training run under ``path`` (a work dir, a
    run folder or a ``scalars.json``): test runs, which log no loss, are
    skipped."""
    found = [path] if osp.isfile(path) else sorted(glob.glob(osp.join(
        path, '**', 'vis_data', 'scalars.json'), recursive=True))
    for scalars in reversed(found):
        curves = read_scalars(scalars)
        if any(k.startswith('loss') for k in curves):
            return curves
    raise FileNotFoundError(
        f'no vis_data/scalars.json with losses under {path}: give the work '
        'dir of a training run (mmengine writes it with the LocalVisBackend)')


def read_scalars(path):
    """``{key: ([step], [value])}`` of the training records in ``path``."""
    curves = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}, line {number}: not JSON ({e})')
            step = record.get('step', record.get('iter', number))
            for key, value in record.items():
                if key not in ('step', 'iter', 'epoch') and isinstance(
                        value, (int, float)):
                    curves.setdefault(key, ([], []))
                    curves[key][0].append(step)
                    curves[key][1].append(value)
    return curves


def plot(runs, keys=None, out='curves.png'):
    """One panel per key, one line per run; returns the keys drawn."""
    data = {run: training_curves(run) for run in runs}
    if not keys:
        keys = sorted({k for curves in data.values() for k in curves
                       if k.startswith('loss')})
    if not keys:
        raise ValueError('no loss* scalars in ' + ', '.join(runs))
    fig, axes = plt.subplots(len(keys), 1, figsize=(7, 2.6 * len(keys)),
                             squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        for run, curves in data.items():
            if key in curves:
                ax.plot(*curves[key], label=osp.basename(osp.normpath(run)))
        ax.set_title(key)
        ax.set_xlabel('iteration')
        ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return keys


def main():
    args = parse_args()
    keys = plot(args.runs, args.keys, args.out)
    print(f'{len(keys)} curves ({", ".join(keys)}) in {args.out}')


if __name__ == '__main__':
    main()
