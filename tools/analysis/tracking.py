"""Pose tracking on the built-in videos, measured as PoseTrack measures it:
MOTA, MOTP, identity switches per track and mAP of the single-frame and
TDMI video pipelines (the main job's detector) with mmdet's ByteTrack and
with mmpose's greedy IoU and OKS matching, K training seeds, paired
against TDMI with ByteTrack. What is measured, and how:
:mod:`tdmi_mmpose.experiments.pose_tracking`. Writes
``WORK_DIR/tracking.{json,png}``; finished runs are recorded
(``tracking_runs.json``) and reused.

Train first (reuses finished runs), then measure:
    python tools/analysis/ablation.py --configs tdmi single-frame --seeds 3
    python tools/main_job.py           # the detector (work_dirs/main_job)
    python tools/analysis/tracking.py --seeds 3
"""
import argparse

from tdmi_mmpose.experiments.cli import (add_runs_args, finish_runs_args,
                                         run_and_record)
from tdmi_mmpose.experiments.pose_tracking import run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_runs_args(parser, job=True)
    return finish_runs_args(parser, parser.parse_args())


def main():
    run_and_record(parse_args(), run, 'tracking')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'tracking.py')
