"""Speed of TDMI against mmpose's single-frame pipeline, as ratios measured
in one run on this machine: ``--sections`` model (TDMI-W48 against five
single-frame passes), train (one training step), video and video-w48
(detector + ByteTrack + TDMI per clip and with feature reuse against
mmpose's single-frame inferencer), data (the training pipeline against
the training step), onnx (onnxruntime against torch, one clip),
onnx-video (the video inferencer in onnxruntime and torch, per clip and
with feature reuse, at W8 and W48), adapt (the adaptation recipes: the
adapted TDMI's frames/s on a real video against mmpose's single-frame
pipeline without flip test, and training clips/s) and scale (the
TDMI-W48 training step by batch, precision and checkpointing, with peak
GPU memory; for ``--device cuda``). What each measures:
:mod:`tdmi_mmpose.experiments.benchmark`. Sections train, video and data
use the built-in videos, video the main job's checkpoints and video-w48
its detector: run `make demo` first.

Example:
    python tools/analysis/benchmark.py               # sections 1-5
    python tools/analysis/benchmark.py --sections model video
    python tools/analysis/benchmark.py --device cuda  # scale, batch 16, 32
    python tools/analysis/benchmark.py --sections model train data onnx \
        --record docs/en/records/benchmark_cpu.json
    python tools/analysis/benchmark.py --sections onnx-video \
        --record docs/en/records/benchmark_onnx.json
    python tools/analysis/benchmark.py --sections adapt \
        --record docs/en/records/benchmark_adapt.json
"""
import argparse

from tdmi_mmpose.experiments.benchmark import run
from tdmi_mmpose.experiments.cli import run_and_record
from tdmi_mmpose.experiments.params import Paths


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sections', nargs='+',
                        choices=['model', 'train', 'video', 'video-w48',
                                 'data', 'onnx', 'onnx-video', 'scale',
                                 'adapt'],
                        help='default: model train video video-w48 data '
                        'onnx; scale with --device cuda')
    parser.add_argument('--device', default='cpu',
                        help='device of the scale section (cuda for the '
                        'GPU figures)')
    parser.add_argument('--batches', nargs='+', type=int,
                        help='batch sizes of the scale section (default: '
                        '16 32 on CUDA, 1 elsewhere)')
    paths = Paths.here()
    parser.add_argument('--job', default=paths.work_dir('main_job'),
                        help='work dir of the main job (checkpoints; '
                        'default: work_dirs/main_job)')
    parser.add_argument('--data-root',
                        help='the built-in videos (default: the main job\'s, '
                        'data/synthetic_videos)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--samples', type=int, default=100)
    parser.add_argument('--frames', type=int, default=12,
                        help='frames of the video-w48 section')
    parser.add_argument('--record',
                        help='also write the rows as a docs record '
                        '(docs/en/records/NAME.json; see '
                        'tools/analysis/docs_tables.py)')
    args = parser.parse_args()
    if args.sections is None:
        args.sections = (['scale'] if args.device.startswith('cuda') else
                         ['model', 'train', 'video', 'video-w48', 'data',
                          'onnx'])
    if args.batches is None:
        args.batches = [16, 32] if args.device.startswith('cuda') else [1]
    args.data_root = (args.data_root or paths.data_root()).rstrip('/') + '/'
    return args


def main():
    run_and_record(parse_args(), run, 'table')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'benchmark.py')
