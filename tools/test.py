"""Evaluate a tdmi_mmpose checkpoint (thin layer over mmengine's Runner).

Examples:
    python tools/test.py CONFIG CHECKPOINT
    bash tools/dist_test.sh CONFIG CHECKPOINT 2
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Evaluate a pose model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for logs and results')
    parser.add_argument('--out', help='dump raw predictions to this .pkl')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401  (registers modules, safe loading)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.out:
        cfg.test_evaluator = [
            *([cfg.test_evaluator] if isinstance(cfg.test_evaluator, dict)
              else cfg.test_evaluator),
            dict(type='DumpResults', out_file_path=args.out)
        ]
    Runner.from_cfg(cfg).test()


if __name__ == '__main__':
    main()
