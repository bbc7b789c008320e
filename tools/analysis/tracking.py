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
    python tools/demo.py           # the detector (work_dirs/main_job)
    python tools/analysis/tracking.py --seeds 3
"""
import argparse
import os.path as osp

from tdmi_mmpose.experiments.cli import add_runs_args, finish_runs_args


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_runs_args(parser, job=True)
    return finish_runs_args(parser, parser.parse_args())


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401  (registers the plugin)
    from tdmi_mmpose.experiments.docs import load, write_record
    from tdmi_mmpose.experiments.pose_tracking import draw, run
    started = load()
    results = run(args)
    png = draw(results, osp.join(args.work_dir, 'tracking.png'),
               results['caption'])
    print(f'[tracking] figure: {png}', flush=True)
    if args.record:
        write_record(args.record, 'tracking', results, started)


if __name__ == '__main__':
    main()
