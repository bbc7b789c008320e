"""Ablations on the built-in videos: a named set of configs x K seeds,
trained at the main job's budget (or ``--epochs``), evaluated on all,
degraded and clean key frames (PoseTrack mAP, ground-truth boxes), with the
mean, standard deviation and 95% confidence interval of each model and the
paired difference of each model to a reference (same data and seeds, so
paired by seed).

A run whose checkpoint exists for the same config, data, seed and budget is
reused, and every finished run is recorded at once in
``WORK_DIR/runs.json`` with the stamp of its config and data: the tool can
be stopped and started again without losing finished runs, and a recorded
run whose config has changed since is run again. It prints which run it is
at and an estimate of the time left, and writes
``WORK_DIR/results.{json,md}``.

Sets (``--set``; the paper's tables on the built-in videos):

- ``triple``: single-frame model, TDMI, TDMI without L_MI (reference TDMI);
- ``table5``: single-frame, TDE only, TDE + RDM (= TDMI);
- ``table6``: TDE final stage only, concatenation, progressive without
  modulation, full TDE (= TDMI);
- ``table7``: without RDM, RDM without L_MI, full, channel split, and each
  MI term removed in turn;
- ``mi``: the MI objective's options: distillation direction, alpha 0.1,
  temperatures 0.5 and 2, and without L_MI;
- ``reuse``: TDMI trained per clip and trained for feature reuse
  (``RandomNeighbourCrop``); ``tools/analysis/reuse_accuracy.py`` then
  compares their video inference per clip and with reuse;
- ``warm``: TDMI warm-started from the single-frame model of the same seed
  (``WarmStart``) and trained 1, 2 and 5 more epochs, against TDMI from
  scratch at the budget and at 10 epochs and the single-frame model at the
  budget and at 10 epochs; the results add each model's training minutes
  (a warm start's include the single-frame training it starts from);
- ``adapt``: TDMI adapted without labels from the single-frame model
  (``tools/adapt.py``'s recipe, ``VideoTopdownAdapter``) on the training
  videos with their labels unused and on another data seed's videos,
  against its teacher (the reference), the warm start +2 supervised
  epochs and TDMI trained with the labels;
- ``adapt-ablation``: adaptation on the other videos without L_MI, with
  an EMA teacher and without the confidence threshold (reference: the
  adaptation as configured).

A model may have a budget of its own (``tdmi-e10``) or start from another
model's run of the same seed (the ``warm-e*`` models): that run is trained
first, and the training minutes of a model count those of the run it
starts from.

``--jobs N`` trains N runs at a time in worker processes, each with 1/N
of the CPU threads (on 2 cores two single-thread runs get more done than
one two-thread run). The runs, their record and the statistics are
:mod:`tdmi_mmpose.experiments.ablation`.

Examples:
    python tools/analysis/ablation.py --set triple --seeds 5
    python tools/analysis/ablation.py --set triple --seeds 5 --jobs 2
    python tools/analysis/ablation.py --set table6 --seeds 3 --epochs 10
    python tools/analysis/ablation.py --configs tdmi tdmi-no-mi --seeds 2
"""
import argparse
import os

from tdmi_mmpose.experiments.ablation import plot_only, run
from tdmi_mmpose.experiments.cli import finish_data_args
from tdmi_mmpose.experiments.models import COMPARISONS, MODELS, SETS
from tdmi_mmpose.experiments.params import Paths


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments end with one line (what is wrong, what to do), not
    the usage text."""

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')


def parse_args():
    parser = OneLineParser(description=__doc__.split('\n')[0])
    parser.add_argument('--set', choices=sorted(SETS), default='triple',
                        help='named set of models (default: triple)')
    parser.add_argument('--configs', nargs='+', choices=sorted(MODELS),
                        help='models to run instead of a set')
    parser.add_argument('--reference', help='model the paired differences '
                        'are taken to (default: the set\'s, else the first)')
    parser.add_argument('--seeds', type=int, default=5,
                        help='K: training seeds 0..K-1, K >= 2 (default: '
                        '5)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='training epochs (default: the main job\'s, '
                        'the configs\' max_epochs)')
    parser.add_argument('--work-dir', default=Paths.here().work_dir(
        'ablation'), help='runs and results (default: work_dirs/ablation)')
    parser.add_argument('--data-root',
                        help='the built-in videos (generated if missing; '
                        'default: the main job\'s, data/synthetic_videos, '
                        'with _seedN added for --data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--device', default=None,
                        help='cpu to train on the CPU where CUDA is '
                        'present (default: CUDA when available)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs trained at a time, in worker processes '
                        'sharing the CPU threads (default: 1)')
    parser.add_argument('--plot', action='store_true',
                        help='only draw the figures of the results in '
                        'WORK_DIR (forest.png, cost.png)')
    parser.add_argument('--quick', action='store_true',
                        help='a check of the tool: small videos in '
                        'WORK_DIR/data, 1 epoch')
    parser.add_argument('--record',
                        help='also write the results as a docs record '
                        '(docs/en/records/NAME.json; see '
                        'tools/analysis/docs_tables.py)')
    args = parser.parse_args()
    names, reference = SETS[args.set]
    args.comparisons = COMPARISONS.get(args.set)
    if args.configs:
        names, reference = args.configs, args.configs[0]
        args.comparisons = None
    args.names = names
    args.reference = args.reference or reference
    if args.reference not in names:
        parser.error(f'--reference {args.reference} is not among the '
                     f'models {names}')
    if args.seeds < 2:
        parser.error(f'--seeds {args.seeds}: K must be at least 2, a '
                     'confidence interval needs two seeds')
    if args.jobs < 1:
        parser.error('--jobs must be at least 1')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs {args.epochs}: give at least 1 (leave it '
                     "out for the configs' budget)")
    names = list(names)
    for name in list(names):  # a warm start needs the run it starts from
        base = MODELS[name].warm_from
        if base and (base not in names or
                     names.index(base) > names.index(name)):
            if base in names:
                names.remove(base)
            names.insert(0, base)
    args.names = names
    return finish_data_args(args, quick_epochs=1)


def main():
    args = parse_args()
    if args.plot:
        return plot_only(args.work_dir)
    if args.device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
    from tdmi_mmpose.experiments.cli import run_and_record
    run_and_record(args, run, 'ablation')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'ablation.py')
