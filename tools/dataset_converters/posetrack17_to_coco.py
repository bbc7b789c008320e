"""Convert PoseTrack17 (``annolist`` JSON per video) to the PoseTrack18
format, and rename its frames to 8-digit, 1-based names.

PoseTrack17 frames are named ``00001.jpg`` (1-based); the convention of
earlier video pose work, kept here, renames them to ``00000001.jpg``. The
15 joints are mapped to the 17-joint PoseTrack18 layout (ears empty); the
annotated rectangle is the head box (``bbox_head``); the person box is the
joint extent enlarged by 15% per side.

Example:
    python tools/dataset_converters/posetrack17_to_coco.py \
        data/posetrack17/annotations/val data/posetrack17 \
        data/posetrack17/annotations/posetrack17_val.json --rename-frames
"""
import argparse

from tdmi_mmpose.datasets.converters.posetrack17 import (convert,
                                                         rename_frames)
from tdmi_mmpose.datasets.converters.posetrack_format import write_coco


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder of PoseTrack17 .json files')
    parser.add_argument('image_root', help='folder holding images/')
    parser.add_argument('out_file', help='converted annotation file')
    parser.add_argument('--rename-frames', action='store_true',
                        help='also link frames under 8-digit names')
    args = parser.parse_args()
    images, annotations = convert(args.ann_dir, args.image_root)
    if args.rename_frames:
        rename_frames(args.image_root, images)
    write_coco(args.out_file, images, annotations)


if __name__ == '__main__':
    main()
