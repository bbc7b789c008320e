"""Adapt TDMI to your own unlabelled videos from a single-frame model.

The single-frame model (mmpose's, or yours) warm-starts TDMI and then
teaches it: on each tracked person's clip it predicts heatmaps on the clean
key frame, while TDMI sees that frame degraded (blur, defocus, occluders,
darkness) and its neighbours as they are, so it learns to read the
neighbours. No labels are needed. People are found once by mmpose's default
person detector (or --det-model, or --boxes-dir) and tracked by ByteTrack;
frames and people are cached in WORK_DIR/cache. An interrupted run resumes
where it stopped. The result, WORK_DIR/tdmi_adapted.py and .pth, runs in
demo/video_demo.py and the inferencers without --warm-start.

Examples (docs/en/user_guides/adapt_to_your_videos.md):
    python tools/adapt.py my_videos/ \
        td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192 --work-dir work_dirs/my
    python tools/adapt.py my_videos/ \
        td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 --work-dir work_dirs/my \
        --config configs/tdmi/adapt/tdmi_hrnet-w48_adapt-unlabelled-384x288.py
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction

CPU_RECIPE = 'tdmi_hrnet-w32_adapt-unlabelled-256x192'
GPU_RECIPE = 'tdmi_hrnet-w48_adapt-unlabelled-384x288'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('videos', help='folder of videos and frame folders, '
                        'or a text file listing them (one per line)')
    parser.add_argument('teacher', help='single-frame top-down checkpoint '
                        'with the recipe\'s backbone: file, http(s) '
                        'address or mmpose model name')
    parser.add_argument('--work-dir', required=True,
                        help='checkpoints, logs, the cache and the result')
    parser.add_argument('--config', help='adaptation recipe: a config file '
                        f'or the name of one ({CPU_RECIPE}, the CPU recipe '
                        f'and the default without CUDA; {GPU_RECIPE}, the '
                        'default with CUDA)')
    parser.add_argument('--boxes-dir', help='boxes files per video '
                        '(demo/video_demo.py --save-bboxes, named '
                        '<video name>.json) instead of the detector')
    parser.add_argument('--det-model', help="mmdet config or name, or "
                        "'whole_image'; default: mmpose's default person "
                        'detector')
    parser.add_argument('--det-weights', help='the detector\'s checkpoint')
    parser.add_argument('--epochs', type=int, help='another budget')
    parser.add_argument('--batch-size', type=int, help='another batch size')
    parser.add_argument('--device', help='cpu or cuda (default: cuda where '
                        'available)')
    parser.add_argument('--no-resume', action='store_true',
                        help='start again instead of resuming the work dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value (applied '
                        'last)')
    return parser.parse_args(argv)


def recipe_path(config, cuda):
    """The recipe's config file (a file, or a model name of the
    metafile)."""
    from tdmi_mmpose.utils.model_zoo import find_model
    name = config or (GPU_RECIPE if cuda else CPU_RECIPE)
    if osp.isfile(name):
        return name
    entry, root, _ = find_model(name, ('tdmi_mmpose', ), 'recipe')
    return osp.join(root, entry['Config'])


def check_teacher(teacher, dataset_meta):
    """Refuse a checkpoint that is not a single-frame model (a TDMI
    checkpoint included) before anything runs; warn, as the warm start
    does, when it was trained on another keypoint set."""
    from tdmi_mmpose.models.utils import single_frame_state_dict
    single_frame_state_dict(teacher, name=f'teacher {teacher}',
                            dataset_meta=dataset_meta)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.runner import Runner

    import tdmi_mmpose  # noqa: F401  (registers the plugin)
    from tdmi_mmpose.apis.adaptation import (adaptation_config,
                                             export_student)
    from tdmi_mmpose.models.utils import WarmStartError
    from tdmi_mmpose.utils import CheckpointError
    from tdmi_mmpose.utils.cli import latest_checkpoint
    from tdmi_mmpose.utils.model_zoo import DownloadError, ModelNameError
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    try:
        cfg = adaptation_config(
            recipe_path(args.config, device.startswith('cuda')),
            args.videos, args.teacher, args.work_dir, args.boxes_dir,
            args.det_model, args.det_weights, args.epochs, args.batch_size,
            device)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        if not osp.exists(args.videos):
            raise FileNotFoundError(f'videos {args.videos} do not exist')
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        check_teacher(args.teacher, parse_pose_metainfo(dict(
            from_file='configs/_base_/datasets/posetrack18.py')))
        os.makedirs(args.work_dir, exist_ok=True)
        final = osp.join(args.work_dir,
                         f'epoch_{cfg.train_cfg.max_epochs}.pth')
        if not args.no_resume and not osp.isfile(final):
            latest = latest_checkpoint(args.work_dir)
            if latest:
                cfg.resume, cfg.load_from = True, latest
        if args.no_resume or not osp.isfile(final):
            Runner.from_cfg(cfg).train()
        else:
            print(f'[adapt] {final} exists: the run is complete '
                  '(--no-resume to run it again)', flush=True)
        cfg_path, ckpt_path = export_student(cfg, final, args.work_dir)
    except (FileNotFoundError, ValueError, WarmStartError, DownloadError,
            ModelNameError, CheckpointError, KeyError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        sys.exit(f'adapt.py: error: {msg}')
    print(f'[adapt] adapted TDMI: {cfg_path} {ckpt_path}\n[adapt] run it: '
          f'python demo/video_demo.py VIDEO {cfg_path} {ckpt_path} '
          '--no-flip', flush=True)


if __name__ == '__main__':
    main()
