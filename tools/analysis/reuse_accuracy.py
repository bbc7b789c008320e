"""Does video inference lose accuracy when it reuses backbone features?

Runs ``VideoPoseInferencer`` over every built-in validation video per clip
(the paper's protocol: every frame of a clip cropped with the key frame's
box), with feature reuse (crops within ``reuse_tolerance`` of the key
frame's box shared between clips) and with aligned reuse (each person
cropped once per frame with its own box, neighbours' features warped into
the key crop: ``reuse_align``), with ground-truth boxes and with the
main job's detector (+ ByteTrack), for each model and training seed that
``tools/analysis/ablation.py`` trained; prints and writes
``WORK_DIR/reuse.{json,md}``: the PoseTrack mAP of each mode, the
paired-by-seed difference of each reuse mode to per clip with its 95%
interval, and the backbone crops each mode runs against per clip
(:mod:`tdmi_mmpose.experiments.reuse`).

Train first (reuses finished runs):
    python tools/analysis/ablation.py --set reuse --seeds 3
    python tools/main_job.py            # the detector (work_dirs/main_job)
Then:
    python tools/analysis/reuse_accuracy.py --seeds 3
"""
import argparse

from tdmi_mmpose.experiments.cli import (add_runs_args, finish_runs_args,
                                         run_and_record)
from tdmi_mmpose.experiments.models import MODELS
from tdmi_mmpose.experiments.reuse import MODES, run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_runs_args(parser, job=True)
    parser.add_argument('--models', nargs='+', choices=sorted(MODELS),
                        default=['tdmi', 'tdmi-reuse'])
    parser.add_argument('--tolerance', type=float, default=None,
                        help="reuse_tolerance (default: each model config's)")
    parser.add_argument('--modes', nargs='+', choices=MODES[1:],
                        default=list(MODES[1:]),
                        help='reuse modes compared with per clip')
    parser.add_argument('--boxes', nargs='+', choices=['gt', 'detected'],
                        default=['gt', 'detected'])
    return finish_runs_args(parser, parser.parse_args())


def main():
    run_and_record(parse_args(), run, 'table')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'reuse_accuracy.py')
