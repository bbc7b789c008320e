"""Generate the built-in video pose dataset (PoseTrack18 format).

Deterministic for a seed; a folder that already holds the dataset with the
same parameters is reused. See tdmi_mmpose/datasets/synthetic_videos.py
for what is rendered.

Example:
    python tools/dataset_converters/make_synthetic_videos.py
    python tools/dataset_converters/make_synthetic_videos.py data/syn1 --seed 1
"""
import argparse

from tdmi_mmpose.datasets.synthetic_videos import (DEFAULTS,
                                                   generate_synthetic_videos)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', nargs='?', default='data/synthetic_videos',
                        help='output folder (default: %(default)s, where '
                        'the configs in configs/tdmi/synthetic look)')
    for key, value in DEFAULTS.items():
        parser.add_argument(f'--{key.replace("_", "-")}', type=type(value),
                            default=value, help='default: %(default)s')
    return parser.parse_args()


def main():
    args = vars(parse_args())
    root = args.pop('root')
    generate_synthetic_videos(root, **args)


if __name__ == '__main__':
    main()
