"""Look at what a clip dataset feeds the model: for each sample, its frames
side by side (temporal order, the key frame in the centre with its
ground-truth pose drawn by mmpose's visualiser).

``--mode transformed`` (default) shows the frames after the whole training
pipeline (the shared affine and flip of every frame of the clip, as the
model sees them); ``--mode original`` shows the decoded frames before it.

Example:
    python tools/misc/browse_dataset.py \
        configs/tdmi/synthetic/tdmi_hrnet-w8_synthetic-videos-128x96.py \
        --output-dir work_dirs/browse --max-item-per-dataset 10
"""
import argparse
import os
import os.path as osp

import cv2
import mmengine
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', default='work_dirs/browse_dataset',
                        help='folder for the images')
    parser.add_argument('--phase', default='train',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--mode', default='transformed',
                        choices=['original', 'transformed'])
    parser.add_argument('--max-item-per-dataset', type=int, default=20)
    parser.add_argument('--show', action='store_true',
                        help='also show each image in a window')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    return parser.parse_args()


def strip(frames, key_drawn, key_index):
    """Frames (BGR) side by side with the drawn key frame in its place."""
    tiles = [key_drawn if i == key_index else f for i, f in enumerate(frames)]
    height = key_drawn.shape[0]
    tiles = [t if t.shape[0] == height else cv2.resize(
        t, (round(t.shape[1] * height / t.shape[0]), height)) for t in tiles]
    return np.concatenate(tiles, axis=1)


def browse(cfg, phase, mode, max_items, out_dir, show=False):
    """Write one image per sample into ``out_dir``; returns their paths."""
    import tdmi_mmpose  # noqa: F401
    from mmpose.registry import DATASETS, VISUALIZERS
    from mmpose.structures import PoseDataSample
    from mmengine.structures import InstanceData
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    dataset_cfg = cfg[f'{phase}_dataloader'].dataset
    # the pipeline without packing (transformed), or up to the frame loader
    pipeline = []
    for step in dataset_cfg.pipeline:
        if step.type == 'PackPoseInputs':
            break
        pipeline.append(step)
        if mode == 'original' and step.type in ('LoadVideoFrames',
                                                'LoadImage'):
            break
    dataset_cfg.pipeline = pipeline
    dataset = DATASETS.build(dataset_cfg)
    visualizer = VISUALIZERS.build(dict(cfg.visualizer, name='browse'))
    visualizer.set_dataset_meta(dataset.metainfo)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    progress = mmengine.ProgressBar(min(max_items, len(dataset)))
    for i in range(min(max_items, len(dataset))):
        item = dataset[i]
        imgs = item['img']
        frames = list(imgs) if isinstance(imgs, list) else [imgs]
        if mode == 'transformed':
            gt = InstanceData(
                keypoints=item['transformed_keypoints'],
                keypoints_visible=item['keypoints_visible'])
        else:
            gt = InstanceData(keypoints=item['keypoints'],
                              keypoints_visible=item['keypoints_visible'],
                              bboxes=item['bbox'])
        name = osp.basename(item['img_path'])
        key = len(frames) // 2
        to_draw = PoseDataSample(gt_instances=gt)
        drawn = visualizer.add_datasample(
            name, frames[key][..., ::-1].copy(), to_draw, draw_pred=False,
            draw_bbox=mode == 'original', show=False)[..., ::-1]
        image = strip([f.astype(np.uint8) for f in frames],
                      np.ascontiguousarray(drawn), key)
        out_file = osp.join(out_dir, f'{i:04d}_{osp.splitext(name)[0]}.jpg')
        cv2.imwrite(out_file, image)
        written.append(out_file)
        if show:
            cv2.imshow('browse_dataset', image)
            cv2.waitKey(0)
        progress.update()
    return written


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    written = browse(cfg, args.phase, args.mode, args.max_item_per_dataset,
                     args.output_dir, args.show)
    print(f'\n{len(written)} images in {args.output_dir}')


if __name__ == '__main__':
    main()
