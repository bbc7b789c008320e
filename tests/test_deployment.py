"""ONNX export (tools/deployment/pytorch2onnx.py) and onnxruntime inference:
the deformable convolution in standard ops (its sampling as gathers), a dynamic batch, and the same
heatmaps and keypoints as torch on the built-in videos and a real clip."""
import os.path as osp
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch
from conftest import ROOT, SAMPLE, TINY_CFG
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpose.apis import init_model
from mmpose.registry import DATASETS

from tdmi_mmpose.apis.deployment import ONNXRuntimePoseModel
from tdmi_mmpose.datasets.synthetic_videos import generate_synthetic_videos

SYN = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
TDMI_SYN = osp.join(SYN, 'tdmi_hrnet-w8_synthetic-videos-128x96.py')
SINGLE_SYN = osp.join(SYN, 'hrnet-w8_synthetic-videos-128x96_single-frame.py')
FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]


def export(config, tmp_path, name):
    """A random-init checkpoint of ``config`` exported by the tool."""
    torch.manual_seed(0)
    model = init_model(config, None, device='cpu')
    ckpt = tmp_path / f'{name}.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    out = tmp_path / 'exported' / f'{name}.onnx'  # a folder made by it
    proc = subprocess.run(
        [sys.executable, 'tools/deployment/pytorch2onnx.py', config, ckpt,
         '--out', out], cwd=ROOT, text=True, capture_output=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'max |heatmap difference|' in proc.stdout
    return init_model(config, str(ckpt), device='cpu'), str(out)


@pytest.fixture(scope='module')
def val_batch(tmp_path_factory):
    """Six validation samples of the built-in videos, through the TDMI and
    the single-frame configs' test pipelines."""
    root = str(tmp_path_factory.mktemp('deploy') / 'data') + '/'
    generate_synthetic_videos(root, logger=lambda m: None, seed=0,
                              num_train_videos=1, num_val_videos=1,
                              num_frames=8)
    batches = {}
    for config in (TDMI_SYN, SINGLE_SYN):
        cfg = Config.fromfile(config).test_dataloader.dataset
        cfg.data_root = root
        ds = DATASETS.build(cfg)
        batches[config] = pseudo_collate([ds[i] for i in range(6)])
    return batches


@pytest.mark.parametrize('config', [TDMI_SYN, SINGLE_SYN])
def test_onnxruntime_equals_torch_on_the_built_in_videos(
        config, val_batch, tmp_path):
    model, path = export(config, tmp_path, 'model')
    graph = onnx.load(path)
    ops = {node.op_type for node in graph.graph.node}
    assert all(node.domain in ('', 'ai.onnx') for node in graph.graph.node)
    if config == TDMI_SYN:
        # the deformable convolutions' sampling as row gathers
        assert 'Gather' in ops and 'GridSample' not in ops
    runtime = ONNXRuntimePoseModel(model, path)
    batch = val_batch[config]
    data = model.data_preprocessor(batch, False)
    assert len(data['inputs']) == 6  # exported with batch 1: dynamic
    with torch.no_grad():
        ref = model(data['inputs'], None, mode='tensor')
    torch.testing.assert_close(runtime.heatmaps(data['inputs']), ref,
                               atol=1e-4, rtol=0)
    with torch.no_grad():
        want = model.test_step(batch)
    got = runtime.test_step(batch)
    for a, b in zip(got, want):
        diff = np.abs(a.pred_instances.keypoints - b.pred_instances.keypoints)
        assert diff.max() <= 0.5


def test_video_inferencer_runs_the_network_in_onnxruntime(tmp_path):
    """The tiny config on a real clip: onnxruntime with feature reuse runs
    its backbone graph once per person and frame (counted; twice with the
    flip test) and gives torch's keypoints within 1e-4, as does its
    per-clip protocol; a video model is the backbone and temporal graphs."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.deployment import backbone_file
    model, path = export(TINY_CFG, tmp_path, 'tiny')
    assert osp.isfile(backbone_file(path))
    ckpt = str(tmp_path / 'tiny.pth')
    boxes = [np.array([[400, 100, 700, 600, 0.9]])] * 5
    results, crops = {}, {}
    for backend, reuse, flip in (('pytorch', True, False),
                                 ('onnxruntime', True, False),
                                 ('onnxruntime', False, False),
                                 ('pytorch', True, True),
                                 ('onnxruntime', True, True)):
        inf = VideoPoseInferencer(
            TINY_CFG, ckpt, device='cpu', tracker=None, backend=backend,
            onnx_file=path if backend == 'onnxruntime' else None,
            det_model='whole_image', reuse_features=reuse, flip_test=flip)
        sizes = []
        if backend == 'pytorch':
            inf.model.backbone.register_forward_hook(
                lambda module, args, out: sizes.append(len(args[0])))
        else:  # the backbone graph's runs
            run = inf.network.backbone
            inf.network.backbone = lambda x: sizes.append(len(x)) or run(x)
        key = (backend, reuse, flip)
        results[key] = np.array([r['predictions'][0][0]['keypoints']
                                 for r in inf(FRAMES, bboxes=boxes)])
        crops[key] = sum(sizes) / 5  # per person and frame
    assert results[('onnxruntime', True, False)].shape == (5, 17, 2)
    for flip in (False, True):
        np.testing.assert_allclose(results[('onnxruntime', True, flip)],
                                   results[('pytorch', True, flip)],
                                   atol=1e-4, rtol=0)
    np.testing.assert_allclose(results[('onnxruntime', False, False)],
                               results[('pytorch', True, False)], atol=1e-4,
                               rtol=0)  # the boxes do not move: same crops
    assert crops[('onnxruntime', True, False)] == 1
    assert crops[('onnxruntime', True, True)] == 2
    assert crops[('onnxruntime', False, False)] == 5
    with pytest.raises(ValueError, match='give onnx_file'):
        VideoPoseInferencer(TINY_CFG, ckpt, device='cpu',
                            backend='onnxruntime', det_model='whole_image')
    # the backbone file given instead of the temporal one: its pair is used
    inf = VideoPoseInferencer(TINY_CFG, ckpt, device='cpu', tracker=None,
                              backend='onnxruntime',
                              onnx_file=backbone_file(path),
                              det_model='whole_image', reuse_features=True,
                              flip_test=False)
    np.testing.assert_allclose(
        np.array([r['predictions'][0][0]['keypoints']
                  for r in inf(FRAMES, bboxes=boxes)]),
        results[('pytorch', True, False)], atol=1e-4, rtol=0)
    # an older whole-clip export alone: named as such, not as a missing
    # backbone file
    import shutil
    old = str(tmp_path / 'old.onnx')
    shutil.copy(backbone_file(path), old)  # its input is not 'stage0'
    with pytest.raises(ValueError, match='whole-clip graph of an earlier'):
        VideoPoseInferencer(TINY_CFG, ckpt, device='cpu', backend=
                            'onnxruntime', onnx_file=old,
                            det_model='whole_image')


def test_the_exported_sampling_equals_grid_sample():
    """The deformable convolution's export form (row gathers) samples as
    ``grid_sample`` does, inside, on the border and outside the image."""
    import torch.nn.functional as F

    from tdmi_mmpose.models.utils.deform_conv import sample_by_gather
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 8, 10, 12, generator=gen)
    py = torch.rand(3, 9, 10, 12, generator=gen) * 14 - 2  # -2 ... 12
    px = torch.rand(3, 9, 10, 12, generator=gen) * 16 - 2
    py[0, 0, 0, :3] = torch.tensor([0., 9., -1.])  # on the border, outside
    grid = torch.stack([px * 2 / 11 - 1, py * 2 / 9 - 1], -1)
    want = F.grid_sample(x, grid.view(3, 90, 12, 2), mode='bilinear',
                         padding_mode='zeros', align_corners=True)
    got = sample_by_gather(x, py, px)
    torch.testing.assert_close(got, want.view(3, 8, 9, 10, 12), atol=1e-5,
                               rtol=0)
    scale = torch.rand(3, 9, 10, 12, generator=gen)
    torch.testing.assert_close(sample_by_gather(x, py, px, scale),
                               got * scale[:, None], atol=1e-5, rtol=0)
