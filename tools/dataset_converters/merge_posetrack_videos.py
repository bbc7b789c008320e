"""Merge PoseTrack18 / PoseTrack21 per-video annotation files into the
single file the datasets read.

PoseTrack18 ships ``annotations/{train,val}/<video>.json`` and PoseTrack21
``posetrack_data/{train,val}/<video>.json``, both in the COCO-style
PoseTrack18 format (PoseTrack21 adds ``person_id`` and its own visibility
flags, kept as they are).

Example:
    python tools/dataset_converters/merge_posetrack_videos.py \
        data/posetrack21/posetrack_data/val \
        data/posetrack21/annotations/posetrack21_val.json
"""
import argparse
import glob
import json
import os.path as osp

from tdmi_mmpose.datasets.converters.posetrack_format import write_coco


def merge(folder, out_file):
    files = sorted(glob.glob(osp.join(folder, '*.json')))
    if not files:
        raise FileNotFoundError(f'no per-video .json files in {folder}')
    images, annotations, seen = [], [], {}
    for path in files:
        with open(path) as f:
            video = json.load(f)
        for key in ('images', 'annotations'):
            if key not in video:
                raise KeyError(f'{path} has no "{key}": not a PoseTrack18/21'
                               ' per-video annotation file')
        for img in video['images']:
            if img['id'] in seen:
                raise ValueError(f'image id {img["id"]} of {path} already '
                                 f'used in {seen[img["id"]]}')
            seen[img['id']] = path
        images += video['images']
        annotations += [a for a in video['annotations'] if 'keypoints' in a]
    write_coco(out_file, images, annotations)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('folder', help='folder of per-video .json files')
    parser.add_argument('out_file', help='merged annotation file')
    args = parser.parse_args()
    merge(args.folder, args.out_file)


if __name__ == '__main__':
    main()
