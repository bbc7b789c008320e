"""Warm start at full size: HRNet-W48 384x288 on the built-in videos.

1. **Exactness**: mmpose's own ``td-hm_hrnet-w48_8xb64-20e_posetrack18-
   384x288`` model (random weights and BatchNorm statistics) and TDMI-W48
   warm-started from it: the largest heatmap difference on clips at
   384x288 (float32; on CUDA with TF32 off and, for reference, on).
2. **A short fine-tune**: mmpose's single-frame HRNet-W48 trained on the
   built-in videos for ``--single-epochs`` (from random weights: nothing is
   downloaded), evaluated; TDMI-W48 warm-started from it, evaluated before
   any TDMI training (it should score the same) and after
   ``--tdmi-epochs`` of TDMI training. PoseTrack mAP on all / degraded /
   clean key frames, ground-truth boxes.

Meant for a GPU (``--device cuda``, ``--amp bf16``); ``--tiny`` runs the
same steps with W8 widths at 128x96 as a check on the CPU.

Example:
    python tools/analysis/warm_start_w48.py --device cuda --amp bf16 \\
        --out work_dirs/warm_start_w48.json
"""
import argparse

from tdmi_mmpose.experiments.cli import run_and_record
from tdmi_mmpose.experiments.params import Paths
from tdmi_mmpose.experiments.warm_start_w48 import run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--amp', choices=['bf16', 'fp16'], default=None,
                        help='mixed precision of the TDMI training')
    parser.add_argument('--single-epochs', type=int, default=3)
    parser.add_argument('--tdmi-epochs', type=int, default=1)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--tiny', action='store_true',
                        help='W8 widths at 128x96 (a CPU check)')
    parser.add_argument('--skip-exactness', action='store_true')
    paths = Paths.here()
    parser.add_argument('--work-dir', default=paths.work_dir(
        'warm_start_w48'), help='default: work_dirs/warm_start_w48')
    parser.add_argument('--data-root', default=paths.data_root(),
                        help='the built-in videos (default: the main '
                        "job's, data/synthetic_videos)")
    parser.add_argument('--out', default=None, help='JSON of the results')
    return parser.parse_args()


def main():
    run_and_record(parse_args(), run, 'warm_start_w48')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'warm_start_w48.py')
