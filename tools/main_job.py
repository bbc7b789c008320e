"""The main job: does TDMI read degraded key frames better than a
single-frame model? Measured on the built-in video dataset (what `make
demo` runs; the steps are in :mod:`tdmi_mmpose.experiments.main_job`):
the built-in videos, the single-frame model, TDMI and TDMI without L_MI
trained alike, their PoseTrack mAP on all / degraded / clean key frames,
a person detector, detector + ByteTrack + TDMI on every validation video,
and a side-by-side video.

Example:
    python tools/main_job.py                      # what `make demo` runs
    python tools/main_job.py --seed 1 --work-dir work_dirs/main_job_seed1
    python tools/main_job.py --models single-frame tdmi-warm
"""
import argparse

from tdmi_mmpose.experiments.cli import finish_data_args
from tdmi_mmpose.experiments.models import (ALIASES, MAIN_JOB_MODELS, MODELS,
                                            QUICK)
from tdmi_mmpose.experiments.params import Paths


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default=Paths.here().work_dir(
        'main_job'), help='models, results, video (default: '
        'work_dirs/main_job)')
    parser.add_argument('--data-root',
                        help='where the built-in videos are generated '
                        '(default: data/synthetic_videos, with _seedN '
                        'added for --data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the built-in videos')
    parser.add_argument('--seed', type=int, default=0,
                        help='training seed (all models)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='epochs (default: the configs\' max_epochs)')
    parser.add_argument('--retrain', action='store_true',
                        help='train even where a checkpoint can be reused')
    parser.add_argument('--models', nargs='+',
                        default=list(MAIN_JOB_MODELS),
                        choices=sorted(set(MODELS) | set(ALIASES)),
                        metavar='MODEL',
                        help='models to train (default: %(default)s); '
                        'tdmi-warm (warm-e2) warm-starts TDMI from the '
                        'single-frame model and trains it 2 epochs '
                        '(--epochs does not change that budget)')
    parser.add_argument('--no-video', action='store_true',
                        help='skip the side-by-side video')
    parser.add_argument('--no-detector', action='store_true',
                        help='skip the detector + tracker + TDMI stage')
    parser.add_argument('--record',
                        help='also write the results as a docs record '
                        '(docs/en/records/NAME.json, with the command, '
                        'date, machine and load; see '
                        'tools/analysis/docs_tables.py)')
    parser.add_argument('--quick', action='store_true',
                        help='check the pipeline in about a minute: %s '
                        'videos, 2 epochs, data in WORK_DIR/data' % (QUICK, ))
    args = parser.parse_args()
    for name in list(args.models):  # a warm start needs what it starts from
        base = MODELS[ALIASES.get(name, name)].warm_from
        if base and base not in args.models:
            args.models.insert(0, base)
    return finish_data_args(args, quick_epochs=2)


def main():
    args = parse_args()
    from tdmi_mmpose.experiments.cli import run_and_record
    from tdmi_mmpose.experiments.main_job import run
    run_and_record(args, run, 'main_job')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'main_job.py')
