"""Evaluate a tdmi_mmpose checkpoint (thin layer over mmengine's Runner),
with mmpose 1.3.2's ``tools/test.py`` flags, meanings and precedence:
``--out`` saves the metrics, ``--dump`` the raw predictions,
``--show-dir`` draws the key frames, ``--cfg-options`` is applied last.

Examples:
    python tools/test.py CONFIG CHECKPOINT
    python tools/test.py CONFIG CHECKPOINT --out metrics.json --dump preds.pkl
    python tools/test.py CONFIG CHECKPOINT --show-dir vis \
        --cfg-options default_hooks.visualization.show_neighbours=True
    python tools/test.py CONFIG CHECKPOINT --amp bf16   # CUDA or CPU
    bash tools/dist_test.sh CONFIG CHECKPOINT 2
"""
import argparse
import os
import os.path as osp

import mmengine
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner

from tdmi_mmpose.utils.cli import (AMP_DTYPES, add_amp_arg,
                                   add_visualization_args, amp_device,
                                   enable_visualization)


def parse_args():
    parser = argparse.ArgumentParser(description='Evaluate a pose model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for logs and results')
    parser.add_argument('--out', help='save the metrics to this file '
                        '(.json, .yaml or .pkl)')
    parser.add_argument('--dump', help='dump the raw predictions to this '
                        '.pkl for offline evaluation')
    add_visualization_args(parser, 'test')
    add_amp_arg(parser, 'test under autocast (bf16 also on the CPU)')
    parser.add_argument('--badcase', action='store_true',
                        help='analyse bad cases with mmpose\'s '
                        'BadCaseAnalysisHook (config: '
                        'default_hooks.badcase)')
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
    cfg.load_from = args.checkpoint
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    enable_visualization(cfg, args.config, args.show and not args.badcase,
                         args.show_dir, args.interval, args.wait_time)
    if args.badcase:
        badcase = cfg.default_hooks.get('badcase', dict(
            type='BadCaseAnalysisHook', enable=False,
            out_dir='badcase', metric_type='loss', badcase_thr=5))
        badcase.enable, badcase.show = True, args.show
        if args.show:
            badcase.wait_time = args.wait_time
        badcase.interval = args.interval
        metric_type = badcase.get('metric_type', 'loss')
        if metric_type not in ('loss', 'accuracy'):
            raise ValueError('default_hooks.badcase.metric_type must be '
                             f"'loss' or 'accuracy', not {metric_type!r}")
        if metric_type == 'loss':
            badcase.setdefault('metric', cfg.model.head.loss)
        else:
            badcase.setdefault('metric', cfg.test_evaluator)
        cfg.default_hooks.badcase = badcase
    if args.dump:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: the dump file must end '
                             'in .pkl or .pickle')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = [*(evaluators if isinstance(
            evaluators, (list, tuple)) else [evaluators]), dump]
    if args.amp:
        # mmengine's TestLoop autocasts with fp16=True, in the device's
        # default autocast dtype, which main() sets to the one asked for
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


class SaveMetricsHook(Hook):
    """Writes the test metrics to a file (``--out``)."""

    def __init__(self, out_file):
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics=None):
        if metrics is not None:
            mmengine.dump(metrics, self.out_file)


def main():
    args = parse_args()
    import tdmi_mmpose  # noqa: F401  (registers modules, safe loading)
    from tdmi_mmpose.utils import setup_cpu_distributed
    cfg = setup_cpu_distributed(build_config(args))
    if args.amp:
        import torch
        torch.set_autocast_dtype(amp_device(args.amp, cpu_ok=True),
                                 getattr(torch, AMP_DTYPES[args.amp]))
    runner = Runner.from_cfg(cfg)
    if args.out:
        runner.register_hook(SaveMetricsHook(args.out), 'LOWEST')
    runner.test()


if __name__ == '__main__':
    main()
