"""Train a tdmi_mmpose model (thin layer over mmengine's Runner), with
mmpose 1.3.2's ``tools/train.py`` flags, meanings and precedence
(``--cfg-options`` is applied last).

Examples:
    python tools/train.py configs/tdmi/tdmi_hrnet-w48_posetrack17-384x288.py
    python tools/train.py CONFIG --resume            # latest in work_dir
    python tools/train.py CONFIG --no-validate --amp        # fp16 (CUDA)
    python tools/train.py CONFIG --amp bf16                 # bf16 (CUDA)
    bash tools/dist_train.sh CONFIG 2   # 2 GPUs (NCCL) or 2 CPU processes
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from tdmi_mmpose.utils.cli import (AMP_DTYPES, add_amp_arg,
                                   add_visualization_args, amp_device,
                                   enable_visualization, latest_checkpoint)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a pose model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a value from the '
        'latest checkpoint in the work dir')
    add_amp_arg(parser, 'train with mmengine\'s AmpOptimWrapper (CUDA)')
    parser.add_argument('--no-validate', action='store_true',
                        help='no validation during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the total batch size')
    add_visualization_args(parser, 'validation')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value (applied '
                        'after every other flag)')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_config(args):
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    record = osp.join(cfg.work_dir, 'last_checkpoint')
    if osp.isdir(record):
        # mmengine writes the newest checkpoint's name into this file at
        # every save: it would fail there, after the first epoch
        raise SystemExit(f'{record} is a directory, where mmengine keeps '
                         'the name of the last checkpoint (a file): move or '
                         'remove it, or give another --work-dir')
    if args.resume == 'auto':
        # resolved here rather than by mmengine, which fails on an empty or
        # garbled last_checkpoint and logs "resumed from None" on an empty
        # work dir; a config's load_from (pretrained weights) is not it
        latest = latest_checkpoint(cfg.work_dir)
        cfg.resume, cfg.load_from = latest is not None, latest
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    if args.amp:
        amp_device(args.amp, cpu_ok=False)  # AmpOptimWrapper is CUDA-only
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.dtype = AMP_DTYPES[args.amp]
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    enable_visualization(cfg, args.config, args.show, args.show_dir,
                         args.interval, args.wait_time)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401  (registers modules, safe loading)
    from tdmi_mmpose.utils import setup_cpu_distributed
    cfg = setup_cpu_distributed(build_config(args))
    Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    main()
