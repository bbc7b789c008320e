"""Smoothing along tracks on the built-in videos: the mAP and the jitter
(acceleration error on consecutive labelled frames) of the single-frame
and TDMI video pipelines with each track's keypoints smoothed online by
One-Euro, Savitzky-Golay and (causal) Gaussian filters, K training seeds,
paired against no smoothing. What is measured, and how:
:mod:`tdmi_mmpose.experiments.smoothing`. Writes
``WORK_DIR/smoothing.json``; finished runs are recorded and reused.

Train first (reuses finished runs), then measure:
    python tools/analysis/ablation.py --configs tdmi single-frame --seeds 3
    python tools/analysis/smoothing.py --seeds 3
"""
import argparse

from tdmi_mmpose.experiments.cli import (add_runs_args, finish_runs_args,
                                         run_and_record)
from tdmi_mmpose.experiments.smoothing import run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_runs_args(parser)
    return finish_runs_args(parser, parser.parse_args())


def main():
    run_and_record(parse_args(), run, 'smoothing')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'smoothing.py')
