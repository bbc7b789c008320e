"""Samples per second of the 5-frame TDMI training pipeline next to
mmpose's single-frame top-down pipeline, measured in one run on the same
real frames (the 5-frame clip shipped in tests/data) and the same
augmentations.

Example:
    python tools/analysis/benchmark_loader.py --workers 2 --samples 200
"""
import argparse
import os.path as osp
import tempfile

from mmengine.config import Config

from tdmi_mmpose.experiments.benchmark import SAMPLE, clip_annotation, rate
from tdmi_mmpose.experiments.params import package_configs

CONFIG = osp.join(package_configs(), 'tdmi',
                  'tdmi_hrnet-w48_posetrack18-384x288.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--samples', type=int, default=100)
    return parser.parse_args()


def main():
    args = parse_args()
    from mmpose.utils import register_all_modules
    register_all_modules()

    cfg = Config.fromfile(CONFIG)
    video = [dict(t) for t in cfg.train_pipeline]
    single = [dict(type='LoadImage')] + [
        dict(t, meta_keys=tuple(k for k in t['meta_keys']
                                if k != 'frame_paths'))
        if t['type'] == 'PackPoseInputs' else t for t in video[1:]
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ann = clip_annotation(tmp, args.samples + 1)
        common = dict(data_root=SAMPLE, ann_file=ann, data_prefix=dict(
            img=''))
        r_video = rate(dict(type='PoseTrack18ClipDataset', delta=2,
                            pipeline=video, **common), args.workers,
                       args.samples)
        r_single = rate(dict(type='PoseTrack18Dataset', pipeline=single,
                             **common), args.workers, args.samples)
    print(f'workers: {args.workers}, samples: {args.samples}, input '
          f'{cfg.codec.input_size[1]}x{cfg.codec.input_size[0]}')
    print(f'5-frame TDMI pipeline     : {r_video:8.1f} samples/s')
    print(f'single-frame mmpose       : {r_single:8.1f} samples/s')
    print(f'ratio (5-frame / single)  : {r_video / r_single:8.2f}')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'benchmark_loader.py')
