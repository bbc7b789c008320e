"""Speed of TDMI against mmpose's single-frame pipeline, as ratios measured
in one run on this machine (``tools/analysis/benchmark.py``); each section
returns rows ``(measure, value, target, figures)``:

1. model: TDMI-W48 384x288 forward against five single-frame HRNet-W48
   passes, and TDE + RDM + head on top of the five backbone passes;
2. train: one training step of the main job's TDMI against its
   single-frame model (same widths, input, batch);
3. video: frames per second of detector + ByteTrack + TDMI on the built-in
   validation videos, per clip (the paper's protocol) and with feature
   reuse, against mmpose's single-frame top-down inferencer with the same
   detector, and the PoseTrack mAP of each; ``video-w48``: the same cost
   ratios with HRNet-W48 384x288 pose models (random init), where the
   backbone dominates;
4. data: samples per second of the TDMI training pipeline (2 workers)
   against what the training step consumes (and, for
   ``tools/analysis/benchmark_loader.py``, the 5-frame pipeline against
   mmpose's single-frame one);
5. onnx: the main job's TDMI network on one clip in onnxruntime against
   torch; ``onnx-video``: the video inferencer's frames per second in both,
   per clip and with feature reuse, at W8 and W48 (with the keypoints'
   agreement);
6. scale: one TDMI-W48 384x288 training step (Adam, random clips) against
   five steps of mmpose's single-frame HRNet-W48 at the same batch, in fp32
   and bf16 autocast, with and without activation checkpointing, and the
   peak GPU memory of each; meant for ``device='cuda'``.

:func:`run` runs the sections a tool asks for and returns their rows as a
``'table'`` record's results.
"""
import json
import os.path as osp
import platform
import time
from math import nan

import torch
from mmengine.config import Config

from .cost import BASELINE as W48_BASELINE
from .cost import DEFAULT as W48
from .cost import build_pair, latency, resolve, time_parts
from .jobs import main_job_detector
from .models import BBOX_THR, config_path, tracker
from .params import CHECKOUT, package_configs
from .progress import log
from .video_eval import val_videos, video_map

TDMI_SYN = config_path('tdmi')
SINGLE_SYN = config_path('single-frame')
REUSE_SYN = config_path('tdmi-reuse')
SAMPLE = osp.join(CHECKOUT, 'tests', 'data', 'posetrack18_sample')


def section_model(repeats):
    model, single, clip, feats = build_pair(W48, W48_BASELINE)
    frames = clip.shape[1]
    t = time_parts(model, single, clip, feats, repeats)
    t_single, t_backbone, t_extra, t_tdmi = (t[k] for k in (
        'single', 'backbone', 'extra', 'full'))
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


def section_video(job, data_root):
    from mmpose.apis.inferencers import Pose2DInferencer
    from tdmi_mmpose.apis import VideoPoseInferencer
    det = dict(main_job_detector(job), device='cpu')
    ckpts = {name: osp.join(job, name, 'epoch_5.pth')
             for name in ('tdmi', 'single-frame')}
    missing = [p for p in ckpts.values() if not osp.isfile(p)]
    if missing:
        raise FileNotFoundError(f'{missing[0]} is missing: run `make demo` '
                                '(the main job) first, or give --job')
    single = Pose2DInferencer(SINGLE_SYN, ckpts['single-frame'], **det)
    runs = {}
    runs['single'] = video_map(single, data_root, bbox_thr=BBOX_THR)
    for name, reuse in (('per-clip', False), ('reuse', True)):
        inf = VideoPoseInferencer(TDMI_SYN, ckpts['tdmi'],
                                  reuse_features=reuse, reuse_align=True,
                                  tracker=tracker(), **det)
        runs[name] = video_map(inf, data_root, bbox_thr=BBOX_THR)
    fps = {k: v[1] for k, v in runs.items()}
    mean = {k: v[0]['all']['Mean'] for k, v in runs.items()}
    rows = [
        ('video, TDMI per clip: cost per frame / single-frame',
         fps['single'] / fps['per-clip'], '',
         f'{fps["per-clip"]:.2f} vs {fps["single"]:.2f} frames/s'),
        ('video, TDMI with aligned reuse: cost per frame / single-frame',
         fps['single'] / fps['reuse'], '<= 1.5',
         f'{fps["reuse"]:.2f} vs {fps["single"]:.2f} frames/s'),
        ('video, mAP aligned reuse - per clip (points)',
         mean['reuse'] - mean['per-clip'], '>= -1',
         f'{mean["reuse"]:.1f} vs {mean["per-clip"]:.1f} '
         f'(single-frame {mean["single"]:.1f})'),
    ]
    return rows


def section_video_w48(job, data_root, frames, tolerance, repeats):
    """Per-frame cost of detector + ByteTrack + TDMI-W48 384x288 (random
    init) per clip, with tolerance reuse (``reuse_align=False`` at
    ``tolerance``, that of the config trained for it,
    ``..._reuse.py``) and with aligned reuse (each person
    cropped once per frame, ``reuse_align``), against mmpose's single-frame
    top-down inferencer with HRNet-W48 384x288 and the same detector, on
    the built-in validation video with the most people. The single-frame
    and reuse pipelines run ``repeats`` times in turn (best of each)."""
    from mmpose.apis.inferencers import Pose2DInferencer
    from tdmi_mmpose.apis import VideoPoseInferencer
    det = dict(main_job_detector(job), device='cpu')
    videos, data = val_videos(data_root)
    people = {}
    for ann in data['annotations']:
        people[ann['image_id']] = people.get(ann['image_id'], 0) + 1
    video = max(videos, key=lambda v: sum(people.get(im['id'], 0)
                                          for im in videos[v]))
    paths = [osp.join(data_root, im['file_name'])
             for im in videos[video]][:frames]
    torch.manual_seed(0)
    inferencers = {
        'single': Pose2DInferencer(resolve(W48_BASELINE), None, **det),
        'per-clip': VideoPoseInferencer(W48, None, reuse_features=False,
                                        tracker=tracker(), **det),
        'reuse': VideoPoseInferencer(W48, None, reuse_features=True,
                                     reuse_tolerance=tolerance,
                                     reuse_align=False, tracker=tracker(),
                                     **det),
        'aligned': VideoPoseInferencer(W48, None, reuse_features=True,
                                       reuse_align=True, tracker=tracker(),
                                       **det)}
    fps, found, crops = {}, {}, {}
    # the cheap pipelines run `repeats` times in turn (best of each), per
    # clip once
    order = ['per-clip'] + [n for n in inferencers if n != 'per-clip'] * \
        repeats
    for name in order:
        inferencer = inferencers[name]
        if name not in fps:
            list(inferencer(paths[:3], bbox_thr=BBOX_THR))  # warm-up
        counted = []
        hook = inferencer.model.backbone.register_forward_hook(
            lambda m, inputs, out: counted.append(inputs[0].shape[0]))
        t0 = time.perf_counter()
        results = list(inferencer(paths, bbox_thr=BBOX_THR))
        fps[name] = max(fps.get(name, 0),
                        len(paths) / (time.perf_counter() - t0))
        hook.remove()
        found[name] = sum(len(r['predictions'][0]) for r in results)
        crops[name] = sum(counted) / max(found[name], 1)
    per_frame = found['reuse'] / len(paths)
    return [
        (f'video W48 384x288 ({per_frame:.1f} people/frame), TDMI per clip:'
         ' cost per frame / single-frame', fps['single'] / fps['per-clip'],
         '', f'{fps["per-clip"]:.2f} vs {fps["single"]:.2f} frames/s, '
         f'{crops["per-clip"]:.1f} vs {crops["single"]:.1f} backbone crops '
         'per person'),
        (f'video W48 384x288, TDMI with reuse (tolerance {tolerance:g}): '
         'cost per frame / single-frame', fps['single'] / fps['reuse'],
         '', f'{fps["reuse"]:.2f} vs {fps["single"]:.2f} frames/s, '
         f'{crops["reuse"]:.1f} backbone crops per person'),
        ('video W48 384x288, TDMI with aligned reuse: cost per frame / '
         'single-frame', fps['single'] / fps['aligned'], '<= 1.3',
         f'{fps["aligned"]:.2f} vs {fps["single"]:.2f} frames/s, '
         f'{crops["aligned"]:.1f} backbone crops per person'),
    ]


def random_training_batch(batch, frames, size, heatmap_size, device,
                          num_keypoints=17):
    """Random inputs ``(B, T, 3, H, W)`` (``(B, 3, H, W)`` for ``frames``
    None) and data samples with random target heatmaps, all visible."""
    from mmengine.structures import InstanceData, PixelData
    from mmpose.structures import PoseDataSample
    w, h = size
    shape = (batch, 3, h, w) if frames is None else (batch, frames, 3, h, w)
    samples = []
    for _ in range(batch):
        s = PoseDataSample()
        s.gt_fields = PixelData(heatmaps=torch.rand(
            num_keypoints, heatmap_size[1], heatmap_size[0], device=device))
        s.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, num_keypoints, device=device))
        samples.append(s)
    return torch.randn(shape, device=device), samples


def scale_step(config, batch, dtype, with_cp, device, steps):
    """Median seconds of one Adam training step of ``config``'s model
    (random init, random batch; ``dtype`` None for fp32, else autocast),
    None where the card runs out of memory, and the peak GPU memory in GiB
    (None off CUDA)."""
    import contextlib

    from mmpose.registry import MODELS
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.with_cp = with_cp
    model = MODELS.build(cfg.model).to(device).train()
    # the accuracy's numpy round trip is left out of both models' steps
    model.train_cfg = dict(compute_acc=False)
    frames = cfg.model.get('neck', {}).get('num_frames')
    inputs, samples = random_training_batch(
        batch, frames, cfg.codec.input_size, cfg.codec.heatmap_size, device)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    cuda = torch.device(device).type == 'cuda'
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    times = []
    try:
        for i in range(steps + 1):
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            ctx = (torch.autocast(torch.device(device).type, dtype=dtype)
                   if dtype else contextlib.nullcontext())
            with ctx:
                losses = model(inputs, samples, mode='loss')
            loss = sum(v for k, v in losses.items() if k.startswith('loss'))
            optim.zero_grad()
            loss.backward()
            optim.step()
            del losses, loss
            if cuda:
                torch.cuda.synchronize()
            if i:  # the first step warms up
                times.append(time.perf_counter() - t0)
    except torch.cuda.OutOfMemoryError:
        times = None  # the card cannot hold this step; the others go on
    memory = torch.cuda.max_memory_allocated() / 2**30 if cuda else None
    del model, optim, inputs, samples
    if cuda:
        torch.cuda.empty_cache()
    return (sorted(times)[len(times) // 2] if times else None), memory


def section_scale(device, batches, steps):
    """Rows of section 6 (the GPU table of
    ``docs/en/user_guides/training_on_gpus.md``)."""
    rows = []
    gib = '{:.1f} GiB'.format
    base_cfg = resolve(W48_BASELINE)
    for batch in batches:
        for name, dtype in (('fp32', None), ('bf16', torch.bfloat16)):
            t, mem = scale_step(W48, batch, dtype, False, device, steps)
            t_cp, mem_cp = scale_step(W48, batch, dtype, True, device, steps)
            t_single, mem_single = scale_step(base_cfg, batch, dtype, False,
                                              device, steps)
            secs = [f'{x:.3f} s' if x else 'out of memory'
                    for x in (t, t_single, t_cp)]
            target = '<= 0.8' if (name, batch) == ('bf16', 32) else ''
            rows.append((
                f'scale: TDMI-W48 step / 5 single-frame steps, b{batch} '
                f'{name}', t / (5 * t_single) if t and t_single else nan,
                target, f'{secs[0]} vs 5 x {secs[1]}; with_cp {secs[2]}'))
            if mem is not None:
                target = '< 20' if (name, batch) == ('fp32', 16) else ''
                rows.append((
                    f'scale: TDMI-W48 peak GiB with_cp, b{batch} {name}',
                    mem_cp if t_cp else nan, target,
                    f'without {gib(mem) if t else "out of memory"}; '
                    f'single-frame {gib(mem_single)}'))
    return rows


def section_onnx(repeats):
    """onnxruntime against torch, one clip, the main job's TDMI (random
    init) on this CPU."""
    import tempfile

    from mmpose.apis import init_model

    from tdmi_mmpose.apis.deployment import (HeatmapGraph,
                                             ONNXRuntimePoseModel,
                                             export_onnx, model_input_shape)
    torch.manual_seed(0)
    model = init_model(TDMI_SYN, None, device='cpu')
    clip = torch.randn(model_input_shape(model))
    graph = HeatmapGraph(model)
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'tdmi.onnx')
        export_onnx(model, path)
        runtime = ONNXRuntimePoseModel(model, path,
                                       threads=torch.get_num_threads())
        t_ort = latency(lambda: runtime.heatmaps(clip), repeats * 5)
    t_torch = latency(lambda: graph(clip), repeats * 5)
    return [('onnxruntime / torch, one clip (W8 128x96)', t_ort / t_torch,
             '', f'{t_ort * 1e3:.1f} ms vs {t_torch * 1e3:.1f} ms')]


def section_onnx_video(repeats):
    """The video inferencer's frames per second in onnxruntime and torch on
    the real clip with two people, per clip and with aligned feature reuse,
    for the main job's TDMI (W8 128x96) and TDMI-W48 384x288
    (:func:`onnx_video`)."""
    rows = []
    for config, label, target in ((TDMI_SYN, 'W8 128x96', ''),
                                  (W48, 'W48 384x288', '>= 1')):
        fps, diff, crops = onnx_video(config, repeats)
        rows += [
            (f'video {label}, onnxruntime / torch frames/s, aligned reuse',
             fps['onnxruntime', True] / fps['pytorch', True], target,
             f'{fps["onnxruntime", True]:.2f} vs '
             f'{fps["pytorch", True]:.2f} frames/s; '
             f'{crops["onnxruntime", True]:.0f} vs '
             f'{crops["pytorch", True]:.0f} backbone crop per person and '
             f'frame; keypoints differ by at most {diff:.1e} px'),
            (f'video {label}, onnxruntime / torch frames/s, per clip',
             fps['onnxruntime', False] / fps['pytorch', False], '',
             f'{fps["onnxruntime", False]:.2f} vs '
             f'{fps["pytorch", False]:.2f} frames/s; '
             f'{crops["onnxruntime", False]:.0f} backbone crops per person '
             'and frame')]
    return rows


def onnx_video(config, repeats, frames=5):
    """The video inferencer (random init, no flip test, no tracker, two
    given boxes per frame) on the real clip in torch and onnxruntime, per
    clip and with aligned reuse.

    Returns:
        tuple: frames/s and backbone crops per person and frame, each keyed
        ``(backend, reuse)``, and the largest keypoint difference (pixels)
        between onnxruntime and torch with reuse.
    """
    import tempfile

    import numpy as np
    from mmpose.apis import init_model

    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.deployment import export_onnx
    paths = [osp.join(SAMPLE, 'videos', '000001_mpiinew_test',
                      f'{i:06d}.jpg') for i in range(5)][:frames]
    boxes = [np.array([[400, 100, 700, 600, 0.9], [80, 160, 360, 680, 0.8]],
                      np.float32)] * len(paths)
    fps, crops, kpts = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        model = init_model(config, None, device='cpu')
        ckpt, path = osp.join(tmp, 'm.pth'), osp.join(tmp, 'm.onnx')
        torch.save(dict(state_dict=model.state_dict()), ckpt)
        export_onnx(model, path)
        del model
        for backend in ('pytorch', 'onnxruntime'):
            for reuse in (False, True):
                inf = VideoPoseInferencer(
                    config, ckpt, device='cpu', tracker=None,
                    det_model='whole_image', backend=backend,
                    onnx_file=path, reuse_features=reuse, flip_test=False)
                list(inf(paths[:2], bboxes=boxes))  # warm-up
                sizes, key = [], (backend, reuse)
                if backend == 'pytorch':
                    inf.model.backbone.register_forward_hook(
                        lambda m, inputs, out: sizes.append(len(inputs[0])))
                else:
                    run = inf.network.backbone
                    inf.network.backbone = \
                        lambda x, run=run: sizes.append(len(x)) or run(x)
                for _ in range(repeats if reuse else 1):
                    del sizes[:]
                    t0 = time.perf_counter()
                    out = list(inf(paths, bboxes=boxes))
                    fps[key] = max(fps.get(key, 0), len(paths) /
                                   (time.perf_counter() - t0))
                crops[key] = sum(sizes) / (2 * len(paths))
                kpts[key] = np.array([[p['keypoints'] for p in
                                       r['predictions'][0]] for r in out])
    diff = float(np.abs(kpts['onnxruntime', True] -
                        kpts['pytorch', True]).max())
    return fps, diff, crops


def section_data(data_root, consumed_per_s, samples):
    cfg = Config.fromfile(TDMI_SYN)
    cfg.train_dataloader.dataset.data_root = data_root
    loaded = rate(cfg.train_dataloader.dataset, 2, samples)
    return [('data: pipeline samples/s (2 workers) / training step '
             'samples/s', loaded / consumed_per_s, '>= 1',
             f'{loaded:.1f} vs {consumed_per_s:.1f} samples/s')]


def clip_annotation(folder, repeats):
    """Annotation of one person in the centre frame of the real clip."""
    cats = json.load(
        open(osp.join(SAMPLE, 'annotations',
                      'test_posetrack18_val.json')))['categories']
    kpts = []
    for j in range(17):  # a plausible upright pose inside the box
        kpts += [560 + 8 * (j % 3), 150 + 20 * j, 1]
    images = [dict(id=i + 1, file_name='videos/000001_mpiinew_test/'
                   '000002.jpg', nframes=5, width=1280, height=720)
              for i in range(repeats)]
    anns = [dict(id=i + 1, image_id=i + 1, category_id=1, iscrowd=0,
                 bbox=[500, 120, 160, 380], num_keypoints=17,
                 keypoints=kpts) for i in range(repeats)]
    path = osp.join(folder, 'clip.json')
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return path


def rate(dataset_cfg, workers, samples):
    """Samples per second of a dataset through a loader with ``workers``
    workers (batch 1, after the first sample)."""
    from mmengine.dataset import pseudo_collate
    from mmpose.registry import DATASETS
    from torch.utils.data import DataLoader
    dataset = DATASETS.build(dataset_cfg)
    loader = DataLoader(dataset, batch_size=1, num_workers=workers,
                        collate_fn=pseudo_collate, shuffle=False)
    it = iter(loader)
    next(it)  # start the workers
    t0 = time.perf_counter()
    n = 0
    for _ in it:
        n += 1
    return n / (time.perf_counter() - t0)


ADAPT_RECIPES = (
    ('CPU recipe, HRNet-W32 256x192',
     'tdmi/adapt/tdmi_hrnet-w32_adapt-unlabelled-256x192.py',
     'mmpose::body_2d_keypoint/topdown_heatmap/posetrack18/'
     'td-hm_hrnet-w32_8xb64-20e_posetrack18-256x192.py'),
    ('GPU recipe, HRNet-W48 384x288',
     'tdmi/adapt/tdmi_hrnet-w48_adapt-unlabelled-384x288.py',
     'mmpose::body_2d_keypoint/topdown_heatmap/posetrack18/'
     'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288.py'),
)


def adapt_train_rate(recipe, batch, steps):
    """Clips per second of an adaptation recipe's training step (teacher
    included; random init, random clips of its size), and seconds a
    step."""
    from mmpose.registry import MODELS
    from mmpose.structures import PoseDataSample
    cfg = Config.fromfile(osp.join(package_configs(), recipe))
    cfg.model.init_cfg = None
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    w, h = cfg.codec.input_size
    frames = cfg.model.neck.num_frames
    inputs = torch.randn(batch, frames + 1, 3, h, w)
    flip = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    optim = torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], 1e-4)
    times = []
    for i in range(steps + 1):
        samples = [PoseDataSample(metainfo=dict(flip_indices=flip))
                   for _ in range(batch)]
        t0 = time.perf_counter()
        losses = model.loss(inputs, samples)
        optim.zero_grad()
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
        optim.step()
        if i:
            times.append(time.perf_counter() - t0)
    step = sorted(times)[len(times) // 2]
    return batch / step, step


def section_adapt(frames, repeats, batch=2, steps=2):
    """The adaptation recipes on this machine: frames per second of the
    adapted TDMI (its inference config, no flip test, feature reuse) on a
    real video against mmpose's single-frame top-down pipeline of the same
    backbone without the flip test (both random init, the same boxes: the
    whole frame as one person, so the detector is not counted), and the
    recipe's training clips per second."""
    import mmcv
    from mmpose.apis.inferencers import Pose2DInferencer
    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.adaptation import adapted_model_config
    video = osp.join(CHECKOUT, 'tests', 'data', 'demo.mp4')
    clip = [f for _, f in zip(range(frames), mmcv.VideoReader(video))]
    rows = []
    for label, recipe, baseline in ADAPT_RECIPES:
        cfg = adapted_model_config(Config.fromfile(
            osp.join(package_configs(), recipe)))
        cfg.model.test_cfg = dict(cfg.model.test_cfg, flip_test=False)
        base = Config.fromfile(resolve(baseline))
        base.model.backbone.init_cfg = None
        base.model.test_cfg.flip_test = False
        torch.manual_seed(0)
        tdmi = VideoPoseInferencer(cfg, None, device='cpu',
                                   det_model='whole_image')
        single = Pose2DInferencer(base, None, device='cpu',
                                  det_model='whole_image')

        def run(inferencer):
            t0 = time.perf_counter()
            for _ in inferencer(list(clip)):
                pass
            return len(clip) / (time.perf_counter() - t0)

        fps = dict(tdmi=0.0, single=0.0)
        for _ in range(repeats):  # in turn, best of each
            fps['single'] = max(fps['single'], run(single))
            fps['tdmi'] = max(fps['tdmi'], run(tdmi))
        clips, step = adapt_train_rate(recipe, batch, steps)
        rows += [
            (f'adaptation {label}: adapted TDMI frames/s on a real video '
             '/ single-frame without flip test', fps['tdmi'] / fps['single'],
             '', f'{fps["tdmi"]:.2f} vs {fps["single"]:.2f} frames/s '
             '(1 person per frame)'),
            (f'adaptation {label}: training clips/s (batch {batch}, '
             'teacher with flip test)', clips, '', f'{step:.2f} s a step'),
        ]
    return rows


def run_section(section, params, state):
    """The rows of one section; ``state`` keeps the training rate the data
    section compares with (measured by the train section when it ran)."""
    if section == 'model':
        return section_model(params.repeats)
    if section == 'train':
        rows, state['sec_per_sample'] = section_train(params.data_root,
                                                      params.steps)
        return rows
    if section == 'video':
        return section_video(params.job, params.data_root)
    if section == 'video-w48':
        tolerance = Config.fromfile(REUSE_SYN).model.test_cfg[
            'reuse_tolerance']
        return section_video_w48(params.job, params.data_root,
                                 params.frames, tolerance, params.repeats)
    if section == 'onnx':
        return section_onnx(params.repeats)
    if section == 'adapt':
        return section_adapt(params.frames, params.repeats)
    if section == 'onnx-video':
        return section_onnx_video(params.repeats)
    if section == 'scale':
        return section_scale(params.device, params.batches, params.steps)
    if section == 'data':
        if state.get('sec_per_sample') is None:
            _, state['sec_per_sample'] = section_train(params.data_root,
                                                       params.steps)
        return section_data(params.data_root, 1 / state['sec_per_sample'],
                            params.samples)
    raise ValueError(f'unknown section {section!r}')


def run(params):
    """The sections ``params.sections`` on this machine.

    Args:
        params (ExperimentParams): ``sections``, ``device``, ``batches``,
            ``job``, ``data_root``, ``repeats``, ``steps``, ``samples``,
            ``frames``.

    Returns:
        dict: A ``'table'`` record's results: ``header``, ``align``,
        ``rows`` (measure, value, target, figures).
    """
    from mmengine.registry import DefaultScope
    from mmpose.utils import register_all_modules
    register_all_modules()
    gpu = (torch.cuda.get_device_name() if torch.cuda.is_available() else
           'none')
    log('benchmark', f'machine: {platform.machine()} '
        f'{platform.processor() or ""}, {torch.get_num_threads()} CPU '
        f'threads, GPU {gpu}')
    rows, state = [], {}
    for section in params.sections:
        log('benchmark', f'{section} ...')
        # mmdet's inferencers switch the default scope: reset it each time
        with DefaultScope.overwrite_default_scope('mmpose'):
            rows += run_section(section, params, state)
    width = max(len(r[0]) for r in rows)
    log('benchmark', '\n'.join(
        [f'{"measure":{width}} | value | target | figures'] +
        [f'{name:{width}} | {value:5.2f} | {target or "-":>6} | {numbers}'
         for name, value, target, numbers in rows]))
    return dict(header=['measure', 'value', 'target', 'figures'],
                align=['---', '---:', '---:', '---'],
                rows=[[name, f'{value:.2f}', target or '—', numbers]
                      for name, value, target, numbers in rows])
