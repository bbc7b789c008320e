"""TDMI-W48 warm-started from a single-frame HRNet-W48 on the built-in
videos at 384x288 (``tools/analysis/warm_start_w48.py``): the exactness of
the warm start at full size (mmpose's PoseTrack18 W48 model, random
weights), then a short fine-tune: the single-frame model trained a few
epochs, its warm start evaluated untrained and after TDMI epochs.
"""
import copy
import json
import os.path as osp
import time

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from .jobs import evaluate, job_config
from .models import checkpoint_path, config_path
from .params import package_configs
from .progress import log, logger_of
from .records import write_json


def full_size(cfg, tiny):
    """A built-in-video config at W48 384x288 (codec, pipelines, widths),
    or left at W8 128x96 with ``tiny``."""
    if tiny:
        return cfg
    w48 = Config.fromfile(osp.join(package_configs(), '_base_',
                                   'tdmi_hrnet-w48_384x288.py'))
    codec = w48.codec

    def fix(node):
        if isinstance(node, dict):
            if node.get('type') == 'TopdownAffine':
                node['input_size'] = codec['input_size']
            if node.get('type') == 'GenerateTarget':
                node['encoder'] = codec
            if node.get('type') in ('TDMIHRNet', 'HRNet'):
                node['extra'] = w48.model.backbone.extra
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)
    fix(cfg._cfg_dict)
    model = cfg.model
    model.head.in_channels = 48
    model.head.decoder = codec
    if model.get('neck'):
        model.neck.in_channels = model.neck.channels = 48
        model.head.motion_channels = 48
        model.head.rdm.hidden_channels = 128
    model.test_cfg = dict(flip_test=False)
    return cfg


def exactness(device, tiny):
    """Largest heatmap difference between mmpose's PoseTrack18 W48 model
    and TDMI-W48 warm-started from it."""
    import mmpose
    from mmpose.registry import MODELS
    sf_cfg = Config.fromfile(osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
        'topdown_heatmap', 'posetrack18',
        'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288.py'))
    sf_cfg.model.backbone.init_cfg = None
    tdmi_cfg = Config.fromfile(osp.join(
        package_configs(), 'tdmi', 'tdmi_hrnet-w48_posetrack18-384x288.py'))
    tdmi_cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    sf = MODELS.build(sf_cfg.model)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():  # BN statistics and scales as a trained model's
        for name, t in sf.state_dict().items():
            if name.endswith('running_var'):
                t.copy_(0.5 + torch.rand(t.shape, generator=gen))
            elif name.endswith('running_mean'):
                t.copy_(0.1 * torch.randn(t.shape, generator=gen))
    tdmi = MODELS.build(tdmi_cfg.model).warm_start(
        dict(state_dict=sf.state_dict()))
    sf, tdmi = sf.to(device).eval(), tdmi.to(device).eval()
    size = (128, 96) if tiny else (384, 288)
    x = torch.randn(2, 5, 3, *size, generator=gen).to(device)
    out = {}
    for tf32 in ((False, True) if device.startswith('cuda') else (False, )):
        if device.startswith('cuda'):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        with torch.no_grad():
            want = sf.head(sf.extract_feat(x[:, 2]))
            got = tdmi.head(tdmi.extract_feat(x))
        out[f'max_abs_diff{"_tf32" if tf32 else ""}'] = float(
            (got - want).abs().max())
        out['heatmap_max_abs'] = float(want.abs().max())
    log('warm W48', f'exactness: {out}')
    return out


def train(cfg, work_dir, epochs, amp, device):
    """Train ``cfg`` for ``epochs`` (no validation) and return its
    checkpoint and the seconds it took."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.train_cfg = dict(by_epoch=True, max_epochs=epochs,
                         val_interval=epochs + 1)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=epochs, save_best=None)
    cfg.default_hooks.logger.interval = 20
    if amp:
        cfg.optim_wrapper = dict(type='AmpOptimWrapper', dtype={
            'bf16': 'bfloat16', 'fp16': 'float16'}[amp],
            optimizer=cfg.optim_wrapper.optimizer)
    t0 = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    return checkpoint_path(work_dir, epochs), time.time() - t0


def evaluate_mean(cfg, ckpt, work_dir):
    """Mean mAP on all / degraded / clean key frames of ``ckpt``."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    return {s: v['Mean'] for s, v in evaluate(cfg, ckpt).items()}


def run(params):
    """The W48 warm start on the parameters
    ``tools/analysis/warm_start_w48.py`` built
    (:class:`.params.ExperimentParams`); the results (also written to
    ``params.out``)."""
    from mmpose.apis import init_model
    from mmpose.utils import register_all_modules

    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    register_all_modules(init_default_scope=True)
    generate_synthetic_videos(params.data_root, seed=0,
                              logger=logger_of('warm W48'))
    results = dict(device=params.device, amp=params.amp,
                   gpu=torch.cuda.get_device_name(0)
                   if params.device.startswith('cuda') else None)
    if not params.skip_exactness:
        results['exactness'] = exactness(params.device, params.tiny)
    configs = {}
    for name, model in (('single', 'single-frame'), ('tdmi', 'tdmi')):
        cfg = full_size(job_config(config_path(model), params.data_root, 0,
                                   None), params.tiny)
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            cfg[loader].batch_size = params.batch
            cfg[loader].num_workers = 8
        cfg.log_level = 'WARNING'
        configs[name] = cfg
    work = params.work_dir
    # mmpose's HeatmapHead cannot take bf16 heatmaps (its accuracy goes
    # through numpy): the single-frame model trains in fp32
    sf_ckpt, sf_s = train(configs['single'], osp.join(work, 'single'),
                          params.single_epochs, None, params.device)
    results['single_frame'] = dict(
        epochs=params.single_epochs, train_seconds=sf_s,
        mAP=evaluate_mean(configs['single'], sf_ckpt,
                     osp.join(work, 'single_test')))
    log('warm W48', f'single-frame: {results["single_frame"]}')
    warm = Config(copy.deepcopy(configs['tdmi']._cfg_dict.to_dict()))
    warm.model.init_cfg = dict(type='WarmStart', checkpoint=sf_ckpt)
    # step 0: the warm-started model, untrained
    model = init_model(configs['tdmi'], None, device='cpu').warm_start(
        sf_ckpt)
    path0 = osp.join(work, 'warm_step0.pth')
    torch.save(dict(state_dict=model.state_dict()), path0)
    results['warm_step0'] = dict(mAP=evaluate_mean(
        configs['tdmi'], path0, osp.join(work, 'warm0_test')))
    log('warm W48', f'warm start, untrained: {results["warm_step0"]}')
    ckpt, secs = train(warm, osp.join(work, 'warm'), params.tdmi_epochs,
                       params.amp, params.device)
    results['warm'] = dict(epochs=params.tdmi_epochs, train_seconds=secs,
                           mAP=evaluate_mean(configs['tdmi'], ckpt,
                                        osp.join(work, 'warm_test')))
    log('warm W48', f'warm start + {params.tdmi_epochs} epoch(s): '
                    f'{results["warm"]}')
    if params.out:
        write_json(params.out, results)
    log('warm W48', json.dumps(results, indent=1))
    return results
