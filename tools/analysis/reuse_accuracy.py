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
import os.path as osp

from tdmi_mmpose.experiments.models import MODELS, ROOT, default_data_root
from tdmi_mmpose.experiments.reuse import MODES, run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--models', nargs='+', choices=sorted(MODELS),
                        default=['tdmi', 'tdmi-reuse'])
    parser.add_argument('--seeds', type=int, default=3,
                        help='training seeds 0..K-1 (K >= 2)')
    parser.add_argument('--epochs', type=int, default=5,
                        help='budget of the ablation runs to load')
    parser.add_argument('--tolerance', type=float, default=None,
                        help="reuse_tolerance (default: each model config's)")
    parser.add_argument('--modes', nargs='+', choices=MODES[1:],
                        default=list(MODES[1:]),
                        help='reuse modes compared with per clip')
    parser.add_argument('--boxes', nargs='+', choices=['gt', 'detected'],
                        default=['gt', 'detected'])
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs',
                                                       'ablation'),
                        help="ablation.py's work dir (checkpoints)")
    parser.add_argument('--job', default=osp.join(ROOT, 'work_dirs',
                                                  'main_job'),
                        help="the main job's work dir (the detector)")
    parser.add_argument('--data-root',
                        help='the built-in videos (default: the main job\'s, '
                        'data/synthetic_videos, with _seedN added for '
                        '--data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0)
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error('--seeds must be at least 2 (an interval needs two '
                     'paired runs)')
    args.data_root = (args.data_root or
                      default_data_root(args.data_seed)).rstrip('/') + '/'
    return args


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401  (registers the plugin)
    run(args)


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'reuse_accuracy.py')
