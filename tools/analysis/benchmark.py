"""Speed of TDMI against mmpose's single-frame pipeline, as ratios measured
in one run on this machine:

1. model: TDMI-W48 384x288 forward against five single-frame HRNet-W48
   passes, and TDE + RDM + head on top of the five backbone passes;
2. training: one training step of the main job's TDMI against its
   single-frame model (same widths, input, batch);
3. video: frames per second of detector + ByteTrack + TDMI on the built-in
   validation videos, per clip (the paper's protocol) and with feature
   reuse, against mmpose's single-frame top-down inferencer with the same
   detector, and the PoseTrack mAP of each;
4. data: samples per second of the TDMI training pipeline (2 workers)
   against what the training step consumes.

Sections 2-4 use the built-in videos, and 3 the main job's checkpoints:
run `make demo` first.

Example:
    python tools/analysis/benchmark.py               # everything
    python tools/analysis/benchmark.py --sections model video
"""
import argparse
import os.path as osp
import platform
import sys
import time

import torch
from mmengine.config import Config

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
sys.path[:0] = [HERE, osp.dirname(HERE)]
from get_cost import latency, resolve  # noqa: E402

W48 = osp.join(ROOT, 'configs', 'tdmi',
               'tdmi_hrnet-w48_posetrack17-384x288.py')
W48_BASELINE = ('mmpose::body_2d_keypoint/topdown_heatmap/coco/'
                'td-hm_hrnet-w48_8xb32-210e_coco-384x288.py')
SYN = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
TDMI_SYN = osp.join(SYN, 'tdmi_hrnet-w8_synthetic-videos-128x96.py')
SINGLE_SYN = osp.join(SYN, 'hrnet-w8_synthetic-videos-128x96_single-frame.py')


def section_model(repeats):
    from mmpose.registry import MODELS
    cfg = Config.fromfile(W48)
    base = Config.fromfile(resolve(W48_BASELINE))
    cfg.model.backbone.init_cfg = base.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).eval()
    baseline = MODELS.build(base.model).eval()
    w, h = cfg.codec.input_size
    frames = cfg.model.neck.num_frames
    clip = torch.randn(1, frames, 3, h, w)
    with torch.no_grad():
        feats = tuple(f.unflatten(0, (1, frames))
                      for f in model.backbone(clip.flatten(0, 1)))
    t_single = latency(lambda: baseline(clip[:, frames // 2], None,
                                        'tensor'), repeats)
    t_backbone = latency(lambda: model.backbone(clip.flatten(0, 1)),
                         repeats)
    t_extra = latency(lambda: model.head(model.neck(feats)), repeats)
    t_tdmi = latency(lambda: model(clip, None, 'tensor'), repeats)
    return [
        ('TDMI-W48 forward / 5 single-frame HRNet-W48 passes',
         t_tdmi / (frames * t_single), '<= 1.05',
         f'{t_tdmi * 1e3:.0f} ms vs 5 x {t_single * 1e3:.0f} ms'),
        ('TDE + RDM + head / the 5 backbone passes', t_extra / t_backbone,
         '<= 0.10', f'{t_extra * 1e3:.0f} ms vs {t_backbone * 1e3:.0f} ms'),
    ]


def train_step_time(config, data_root, steps):
    """Median seconds of one training step (and the batch size)."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.runner import Runner
    from mmpose.registry import MODELS
    cfg = Config.fromfile(config)
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    loader = Runner.build_dataloader(cfg.train_dataloader)
    batch = next(iter(loader))
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        model.train_step(batch, optim)
        if i:  # the first step warms up
            times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], cfg.train_dataloader.batch_size


def section_train(data_root, steps):
    t_tdmi, batch = train_step_time(TDMI_SYN, data_root, steps)
    t_single, _ = train_step_time(SINGLE_SYN, data_root, steps)
    return [('training step TDMI / single-frame (W8 128x96, batch '
             f'{batch})', t_tdmi / t_single, '',
             f'{t_tdmi:.2f} s vs {t_single:.2f} s')], t_tdmi / batch
    # (rows, seconds of TDMI training per sample)


def section_video(job, data_root):
    from demo import BBOX_THR, TRACKER, video_map
    from mmpose.apis.inferencers import Pose2DInferencer
    from tdmi_mmpose.apis import VideoPoseInferencer
    det_cfg = osp.join(job, 'detector',
                       'rtmdet-tiny_synthetic-videos-256x192.py')
    ckpts = {name: osp.join(job, name, 'epoch_5.pth')
             for name in ('tdmi', 'single-frame')}
    ckpts['detector'] = osp.join(job, 'detector', 'epoch_12.pth')
    missing = [p for p in [det_cfg, *ckpts.values()] if not osp.isfile(p)]
    if missing:
        raise FileNotFoundError(f'{missing[0]} is missing: run `make demo` '
                                '(the main job) first, or give --job')
    det = dict(det_model=det_cfg, det_weights=ckpts['detector'],
               det_cat_ids=0, device='cpu')
    single = Pose2DInferencer(SINGLE_SYN, ckpts['single-frame'], **det)
    runs = {}
    runs['single'] = video_map(single, data_root, bbox_thr=BBOX_THR)
    for name, reuse in (('per-clip', False), ('reuse', True)):
        inf = VideoPoseInferencer(TDMI_SYN, ckpts['tdmi'],
                                  reuse_features=reuse, tracker=TRACKER,
                                  **det)
        runs[name] = video_map(inf, data_root, bbox_thr=BBOX_THR)
    fps = {k: v[1] for k, v in runs.items()}
    mean = {k: v[0]['all']['Mean'] for k, v in runs.items()}
    rows = [
        ('video, TDMI per clip: cost per frame / single-frame',
         fps['single'] / fps['per-clip'], '',
         f'{fps["per-clip"]:.2f} vs {fps["single"]:.2f} frames/s'),
        ('video, TDMI with reuse: cost per frame / single-frame',
         fps['single'] / fps['reuse'], '<= 1.5',
         f'{fps["reuse"]:.2f} vs {fps["single"]:.2f} frames/s'),
        ('video, mAP reuse - per clip (points)',
         mean['reuse'] - mean['per-clip'], '>= -1',
         f'{mean["reuse"]:.1f} vs {mean["per-clip"]:.1f} '
         f'(single-frame {mean["single"]:.1f})'),
    ]
    return rows


def section_data(data_root, consumed_per_s, samples):
    from benchmark_loader import rate
    cfg = Config.fromfile(TDMI_SYN)
    cfg.train_dataloader.dataset.data_root = data_root
    loaded = rate(cfg.train_dataloader.dataset, 2, samples)
    return [('data: pipeline samples/s (2 workers) / training step '
             'samples/s', loaded / consumed_per_s, '>= 1',
             f'{loaded:.1f} vs {consumed_per_s:.1f} samples/s')]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sections', nargs='+',
                        default=['model', 'train', 'video', 'data'],
                        choices=['model', 'train', 'video', 'data'])
    parser.add_argument('--job', default=osp.join(ROOT, 'work_dirs',
                                                  'main_job'),
                        help='work dir of the main job (checkpoints)')
    parser.add_argument('--data-root', default=osp.join(
        ROOT, 'data', 'synthetic_videos') + '/')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--samples', type=int, default=100)
    args = parser.parse_args()
    import tdmi_mmpose  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()
    print(f'machine: {platform.machine()} {platform.processor() or ""}, '
          f'{torch.get_num_threads()} CPU threads, CUDA '
          f'{"yes" if torch.cuda.is_available() else "no"}', flush=True)
    rows, sec_per_sample = [], None
    from mmengine.registry import DefaultScope
    for section in args.sections:
        print(f'[benchmark] {section} ...', flush=True)
        # mmdet's inferencers switch the default scope: reset it each time
        scope = DefaultScope.overwrite_default_scope('mmpose')
        scope.__enter__()
        if section == 'model':
            rows += section_model(args.repeats)
        elif section == 'train':
            new, sec_per_sample = section_train(args.data_root, args.steps)
            rows += new
        elif section == 'video':
            rows += section_video(args.job, args.data_root)
        elif section == 'data':
            if sec_per_sample is None:
                _, sec_per_sample = section_train(args.data_root, args.steps)
            rows += section_data(args.data_root, 1 / sec_per_sample,
                                 args.samples)
        scope.__exit__(None, None, None)
    width = max(len(r[0]) for r in rows)
    print(f'\n{"measure":{width}} | ratio | target | figures')
    for name, ratio, target, figures in rows:
        print(f'{name:{width}} | {ratio:5.2f} | {target or "-":>6} | '
              f'{figures}')


if __name__ == '__main__':
    main()
