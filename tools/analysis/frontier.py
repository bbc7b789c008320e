"""The speed/accuracy frontier of the video pipelines: mmpose's single-frame
top-down pipeline and TDMI (per clip, and with aligned feature reuse), each
with and without the flip test: accuracy per training seed with ground-truth
and detected boxes, paired against single-frame with flip test, backbone
crops per person, one timing pass, and (``--w48``) the HRNet-W48 384x288
speed rows (``--device cuda`` on a GPU). What is measured, and how, is
:mod:`tdmi_mmpose.experiments.frontier`. Writes
``WORK_DIR/frontier.{json,md}`` and ``frontier.png``; finished runs are
recorded (``frontier_runs.json``) and reused.

Train first (reuses finished runs), then measure:
    python tools/analysis/ablation.py --configs tdmi single-frame --seeds 3
    python tools/main_job.py           # the detector (work_dirs/main_job)
    python tools/analysis/frontier.py --seeds 3 --w48
"""
import argparse

from tdmi_mmpose.experiments.cli import (add_runs_args, finish_runs_args,
                                         run_and_record)
from tdmi_mmpose.experiments.frontier import PIPELINES, run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_runs_args(parser, job=True)
    parser.add_argument('--boxes', nargs='+', choices=['gt', 'detected'],
                        default=['gt', 'detected'])
    parser.add_argument('--pipelines', nargs='+', choices=list(PIPELINES),
                        default=list(PIPELINES))
    parser.add_argument('--no-accuracy', dest='accuracy',
                        action='store_false',
                        help='skip the accuracy runs (speed only)')
    parser.add_argument('--no-speed', dest='speed', action='store_false',
                        help='skip the timing pass of the built-in models')
    parser.add_argument('--w48', action='store_true',
                        help='also the HRNet-W48 384x288 speed rows')
    parser.add_argument('--w48-frames', type=int, default=12)
    parser.add_argument('--device', default='cpu')
    return finish_runs_args(parser, parser.parse_args())


def main():
    run_and_record(parse_args(), run, 'frontier')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'frontier.py')
