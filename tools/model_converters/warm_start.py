"""Convert a single-frame top-down checkpoint into a warm-started TDMI
checkpoint for a TDMI config: backbone and detection head copied, the
neighbour frames entering at zero, TDE and RDM at the config's random
initialisation (``VideoTopdownPoseEstimator.warm_start``). The result
loads like any TDMI checkpoint (``load_from``, ``tools/test.py``,
``demo/video_demo.py``) and, until fine-tuned, estimates as the
single-frame model does.

Example:
    python tools/model_converters/warm_start.py \\
        configs/tdmi/tdmi_hrnet-w48_posetrack18-384x288.py \\
        td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 \\
        work_dirs/tdmi_w48_warm_start.pth
"""
import argparse
import os
import os.path as osp
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='TDMI (or TDMI-ST) config')
    parser.add_argument('checkpoint', help='single-frame top-down '
                        'checkpoint with the config\'s backbone: path, '
                        'http(s) address or mmpose model name')
    parser.add_argument('out', help='where to write the TDMI checkpoint')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the random TDE and RDM weights')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='config overrides, key=value')
    return parser.parse_args()


def main():
    args = parse_args()
    if not osp.isfile(args.config):
        sys.exit(f'warm_start: config {args.config} does not exist')
    import torch
    from mmengine.config import Config, DictAction
    from mmengine.runner import set_random_seed
    from mmpose.apis import init_model

    import tdmi_mmpose  # noqa: F401
    from tdmi_mmpose.models import WarmStartError, warm_start
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        action = DictAction(None, 'cfg_options')
        options = {}
        action(None, options, args.cfg_options)
        cfg.merge_from_dict(options['cfg_options'])
    cfg.model.pop('init_cfg', None)
    cfg.model.backbone.pop('init_cfg', None)  # no download for weights
    set_random_seed(args.seed)                # the warm start replaces
    model = init_model(cfg, None, device='cpu')
    model.init_weights()
    try:
        warm_start(model, args.checkpoint)
    except (WarmStartError, ValueError, FileNotFoundError,
            RuntimeError) as err:
        sys.exit(f'warm_start: {err}')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(warm_start=dict(checkpoint=args.checkpoint,
                                              config=args.config,
                                              seed=args.seed))), args.out)
    print(f'[warm_start] {args.out}: {args.config} warm-started from '
          f'{args.checkpoint}')


if __name__ == '__main__':
    main()
