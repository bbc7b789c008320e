"""The project's main job on its built-in default.

What exists today: train the tiny TDMI config on the real PoseTrack18
sample frames shipped in tests/data, evaluate it with the PoseTrack mAP
(per-joint table), and run the trained model on five real consecutive
frames, saving the key frame with the predicted pose.

The model is tiny and randomly initialised and trains for a few
iterations on 14 people: its numbers say that the pipeline runs end to end,
not how well TDMI estimates poses.
"""
import argparse
import os.path as osp

import mmcv
from mmengine.config import Config
from mmengine.runner import Runner

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = osp.join(ROOT, 'configs', 'tdmi', 'tiny',
                'tdmi_hrnet-w8-tiny_posetrack18-sample-128x96.py')
CLIP = osp.join(ROOT, 'tests', 'data', 'posetrack18_sample', 'videos',
                '000001_mpiinew_test')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=TINY, help='config to train')
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs',
                                                       'demo'))
    parser.add_argument('--epochs', type=int, default=3)
    return parser.parse_args()


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401
    from mmpose.apis import init_model
    from mmpose.registry import VISUALIZERS
    from mmpose.structures import merge_data_samples

    from tdmi_mmpose.apis import inference_video_topdown

    print(f'[demo] 1/3 training {osp.relpath(args.config, ROOT)} for '
          f'{args.epochs} epochs on the PoseTrack18 sample (CPU)')
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = args.epochs
    runner = Runner.from_cfg(cfg)
    runner.train()

    print('[demo] 2/3 evaluating (PoseTrack mAP, ground-truth boxes)')
    metrics = runner.test()

    print('[demo] 3/3 inference on 5 real consecutive frames')
    checkpoint = osp.join(args.work_dir, f'epoch_{args.epochs}.pth')
    model = init_model(cfg, checkpoint, device='cpu')
    frames = [osp.join(CLIP, f'{i:06d}.jpg') for i in range(5)]
    result = merge_data_samples(inference_video_topdown(model, frames))
    visualizer = VISUALIZERS.build(cfg.visualizer)
    visualizer.set_dataset_meta(model.dataset_meta)
    out_file = osp.join(args.work_dir, 'keyframe_pose.jpg')
    visualizer.add_datasample(
        'keyframe', mmcv.imread(frames[2], channel_order='rgb'),
        data_sample=result, draw_gt=False, draw_bbox=True, show=False,
        out_file=out_file)
    print(f'[demo] key frame {osp.relpath(frames[2], ROOT)}: '
          f'{result.pred_instances.keypoints.shape[1]} keypoints, drawn to '
          f'{out_file}')
    print('[demo] PoseTrack mAP of the tiny model: '
          f'{metrics["posetrack/Mean"]:.1f}. The model is tiny, randomly '
          'initialised and barely trained: this shows the pipeline, not '
          "TDMI's accuracy.")


if __name__ == '__main__':
    main()
