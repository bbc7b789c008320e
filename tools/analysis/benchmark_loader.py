"""Samples per second of the 5-frame TDMI training pipeline next to
mmpose's single-frame top-down pipeline, measured in one run on the same
real frames (the 5-frame clip shipped in tests/data) and the same
augmentations.

Example:
    python tools/analysis/benchmark_loader.py --workers 2 --samples 200
"""
import argparse
import json
import os.path as osp
import tempfile
import time

from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'tdmi',
                  'tdmi_hrnet-w48_posetrack18-384x288.py')
SAMPLE = osp.join(ROOT, 'tests', 'data', 'posetrack18_sample')


def clip_annotation(folder, repeats):
    """Annotation of one person in the centre frame of the real clip."""
    cats = json.load(
        open(osp.join(SAMPLE, 'annotations',
                      'test_posetrack18_val.json')))['categories']
    kpts = []
    for j in range(17):  # a plausible upright pose inside the box
        kpts += [560 + 8 * (j % 3), 150 + 20 * j, 1]
    images = [dict(id=i + 1, file_name='videos/000001_mpiinew_test/'
                   '000002.jpg', nframes=5, width=1280, height=720)
              for i in range(repeats)]
    anns = [dict(id=i + 1, image_id=i + 1, category_id=1, iscrowd=0,
                 bbox=[500, 120, 160, 380], num_keypoints=17,
                 keypoints=kpts) for i in range(repeats)]
    path = osp.join(folder, 'clip.json')
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return path


def rate(dataset_cfg, workers, samples):
    from mmengine.dataset import pseudo_collate
    from mmpose.registry import DATASETS
    from torch.utils.data import DataLoader
    dataset = DATASETS.build(dataset_cfg)
    loader = DataLoader(dataset, batch_size=1, num_workers=workers,
                        collate_fn=pseudo_collate, shuffle=False)
    it = iter(loader)
    next(it)  # start the workers
    t0 = time.perf_counter()
    n = 0
    for _ in it:
        n += 1
    return n / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--samples', type=int, default=100)
    args = parser.parse_args()
    import tdmi_mmpose  # noqa: F401
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
    main()
