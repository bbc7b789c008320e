"""Parameters, GFLOPs and CPU latency of TDMI per person, next to mmpose's
single-frame HRNet-W48 at the same input size (``tools/analysis/
get_cost.py``; the model rows of ``tools/analysis/benchmark.py``).

FLOPs are counted by forward hooks as multiply-accumulates (MACs, the
"FLOPs" OpenMMLab tables report) of every Conv2d, deformable Conv2d
(DCNv2, its convolution only) and Linear layer; normalisation,
activations and DCN's bilinear sampling are left out for both models.
"""
import os.path as osp
import time

import torch
from mmengine.config import Config

from tdmi_mmpose.models.utils import ModulatedDeformConv2d

from .params import package_configs
from .progress import log

DEFAULT = osp.join(package_configs(), 'tdmi',
                   'tdmi_hrnet-w48_posetrack17-384x288.py')
BASELINE = ('mmpose::body_2d_keypoint/topdown_heatmap/coco/'
            'td-hm_hrnet-w48_8xb32-210e_coco-384x288.py')


def count_macs(module, *inputs):
    """MACs of conv/linear layers in one forward of ``module(*inputs)``."""
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
        module(*inputs)
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
    """Millions of parameters of ``module``."""
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


def cost_rows(config, baseline, repeats):
    """The cost table: TDMI's backbone over the clip, its TDE + RDM + head,
    its total and the single-frame model, each ``(name, params (M), MACs,
    CPU seconds)``, and the clip it was measured on."""
    model, single, clip, feats = build_pair(config, baseline)
    frames = clip.shape[1]

    class Extra(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.neck, self.head = model.neck, model.head

        def forward(self, feats):
            return self.head(self.neck(feats))

    macs_base = count_macs(single, clip[:, frames // 2], None, 'tensor')
    macs_bb = count_macs(model.backbone, clip.flatten(0, 1))
    macs_extra = count_macs(Extra(), feats)
    times = time_parts(model, single, clip, feats, repeats)
    return [
        ('single-frame HRNet (mmpose)', params(single), macs_base,
         times['single']),
        (f'TDMI backbone x {frames} frames', params(model.backbone), macs_bb,
         times['backbone']),
        ('TDMI TDE + RDM + head', params(model.neck) + params(model.head),
         macs_extra, times['extra']),
        ('TDMI total', params(model), macs_bb + macs_extra, times['full']),
    ], clip


def run(params):
    """Cost of ``params.config`` (a TDMI config) per person next to
    ``params.baseline`` (a single-frame one), medians of
    ``params.repeats`` CPU passes.

    Returns:
        dict: A ``'table'`` record's results: ``header``, ``align``,
        ``rows`` (params in millions, GFLOPs, CPU ms), ``note`` (input,
        threads and the ratio of the temporal parts to the backbone
        passes, target <= 10%).
    """
    from mmpose.utils import register_all_modules
    register_all_modules()
    rows, clip = cost_rows(params.config, params.baseline, params.repeats)
    frames, (h, w) = clip.shape[1], clip.shape[-2:]
    threads = torch.get_num_threads()
    log('cost', f'TDMI: {osp.relpath(params.config)}; baseline: '
        f'{params.baseline}; input {h}x{w}, {frames} frames, 1 person, CPU '
        f'threads {threads}')
    log('cost', '\n'.join(
        [f'{"":32}{"params (M)":>12}{"GFLOPs":>10}{"CPU ms":>10}'] +
        [f'{name:32}{p:12.2f}{m / 1e9:10.2f}{t * 1e3:10.1f}'
         for name, p, m, t in rows]))
    (_, _, macs_base, t_base), (_, _, macs_bb, t_bb), \
        (_, _, macs_extra, t_extra), (_, _, macs_all, t_full) = rows
    log('cost', f'TDMI / single-frame: {macs_all / macs_base:.2f}x GFLOPs, '
        f'{t_full / t_base:.2f}x latency')
    ratio_f, ratio_t = macs_extra / macs_bb, t_extra / t_bb
    verdict = 'met' if max(ratio_f, ratio_t) <= 0.10 else 'NOT met'
    summary = (f'TDE + RDM + head on top of the {frames} backbone passes: '
               f'{100 * ratio_f:.1f}% GFLOPs, {100 * ratio_t:.1f}% latency '
               f'(target <= 10%: {verdict})')
    log('cost', summary)
    return dict(
        header=['per person', 'params (M)', 'GFLOPs', 'CPU ms'],
        align=['---', '---:', '---:', '---:'],
        rows=[[name, f'{p:.2f}', f'{m / 1e9:.2f}', f'{t * 1e3:.1f}']
              for name, p, m, t in rows],
        note=f'Input {h}x{w}, {frames} frames, one person, {threads} CPU '
        f'threads. {summary}.')
