"""Parameters, GFLOPs and CPU latency of TDMI per person, next to mmpose's
single-frame HRNet-W48 at the same input size, measured in one run.

TDMI runs the backbone on all T = 2*delta + 1 frames (irreducible); what it
adds on top is the TDE neck, the RDM and the head. The tool prints both
costs and the ratio of that addition to the T backbone passes (target:
<= 10%).

FLOPs are counted by forward hooks as multiply-accumulates (MACs, the
"FLOPs" OpenMMLab tables report) of every Conv2d, deformable Conv2d
(DCNv2, its convolution only) and Linear layer; normalisation,
activations and DCN's bilinear sampling are left out for both models.

Example:
    python tools/analysis/get_cost.py            # W48, 384x288
    python tools/analysis/get_cost.py --config configs/tdmi/tiny/...
"""
import argparse
import os.path as osp
import time

import torch
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT = osp.join(ROOT, 'configs', 'tdmi',
                   'tdmi_hrnet-w48_posetrack17-384x288.py')
BASELINE = ('mmpose::body_2d_keypoint/topdown_heatmap/coco/'
            'td-hm_hrnet-w48_8xb32-210e_coco-384x288.py')


def count_macs(module, *args):
    """MACs of conv/linear layers in one forward of ``module(*args)``."""
    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    total = [0]

    def conv_hook(m, inputs, out):
        k = m.weight[0].numel()  # in_channels/groups * kh * kw
        total[0] += out.numel() * k

    def linear_hook(m, inputs, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in module.modules():
        if isinstance(m, (torch.nn.Conv2d, ModulatedDeformConv2d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        module(*args)
    for h in hooks:
        h.remove()
    return total[0]


def latency(fn, repeats, warmup=1):
    """Median wall time of ``fn()`` in seconds."""
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def resolve(config):
    """``mmpose::path`` -> the file shipped in mmpose's ``.mim``."""
    if config.startswith('mmpose::'):
        import mmpose
        config = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs',
                          config[len('mmpose::'):])
    return config


def params(module):
    return sum(p.numel() for p in module.parameters()) / 1e6


def build_pair(config, baseline):
    """TDMI and the single-frame mmpose model, randomly initialised (nothing
    is downloaded), in eval mode, with a random clip ``(1, T, 3, H, W)`` at
    the config's input size and TDMI's per-stage backbone features of it
    regrouped to ``(1, T, C, h, w)``."""
    from mmpose.registry import MODELS
    cfg = Config.fromfile(config)
    base_cfg = Config.fromfile(resolve(baseline))
    cfg.model.backbone.init_cfg = base_cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).eval()
    single = MODELS.build(base_cfg.model).eval()
    w, h = cfg.codec.input_size
    frames = cfg.model.neck.num_frames
    clip = torch.randn(1, frames, 3, h, w)
    with torch.no_grad():
        feats = tuple(
            f.unflatten(0, (1, frames))
            for f in model.backbone(clip.flatten(0, 1)))
    return model, single, clip, feats


def time_parts(model, single, clip, feats, repeats):
    """Median CPU seconds of: the single-frame model on the key frame, TDMI's
    backbone over the clip, TDE + RDM + head on its features, and the
    whole TDMI forward."""
    frames = clip.shape[1]
    return dict(
        single=latency(lambda: single(clip[:, frames // 2], None, 'tensor'),
                       repeats),
        backbone=latency(lambda: model.backbone(clip.flatten(0, 1)),
                         repeats),
        extra=latency(lambda: model.head(model.neck(feats)), repeats),
        full=latency(lambda: model(clip, None, 'tensor'), repeats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEFAULT)
    parser.add_argument('--baseline', default=BASELINE,
                        help='single-frame mmpose config to compare with')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    import tdmi_mmpose  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()

    model, baseline, clip, feats = build_pair(args.config, args.baseline)
    frames, (h, w) = clip.shape[1], clip.shape[-2:]
    image = clip[:, frames // 2]
    print(f'TDMI: {osp.relpath(args.config, ROOT)}; baseline: '
          f'{args.baseline}; input {h}x{w}, {frames} frames, 1 person, '
          f'CPU threads {torch.get_num_threads()}')

    class Extra(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.neck, self.head = model.neck, model.head

        def forward(self, feats):
            return self.head(self.neck(feats))

    rows = []
    macs_base = count_macs(baseline, image, None, 'tensor')
    macs_bb = count_macs(model.backbone, clip.flatten(0, 1))
    macs_extra = count_macs(Extra(), feats)
    times = time_parts(model, baseline, clip, feats, args.repeats)
    t_base, t_bb, t_extra, t_full = (times[k] for k in (
        'single', 'backbone', 'extra', 'full'))
    rows.append(('single-frame HRNet (mmpose)', params(baseline),
                 macs_base, t_base))
    rows.append((f'TDMI backbone x {frames} frames', params(model.backbone),
                 macs_bb, t_bb))
    rows.append(('TDMI TDE + RDM + head', params(model.neck) +
                 params(model.head), macs_extra, t_extra))
    rows.append(('TDMI total', params(model), macs_bb + macs_extra, t_full))
    print(f'{"":32}{"params (M)":>12}{"GFLOPs":>10}{"CPU ms":>10}')
    for name, p, m, t in rows:
        print(f'{name:32}{p:12.2f}{m / 1e9:10.2f}{t * 1e3:10.1f}')
    print(f'TDMI / single-frame: {(macs_bb + macs_extra) / macs_base:.2f}x '
          f'GFLOPs, {t_full / t_base:.2f}x latency')
    ratio_f, ratio_t = macs_extra / macs_bb, t_extra / t_bb
    verdict = 'met' if max(ratio_f, ratio_t) <= 0.10 else 'NOT met'
    print(f'TDE + RDM + head on top of the {frames} backbone passes: '
          f'{100 * ratio_f:.1f}% GFLOPs, {100 * ratio_t:.1f}% latency '
          f'(target <= 10%: {verdict})')


if __name__ == '__main__':
    main()
