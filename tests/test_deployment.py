"""ONNX export (tools/deployment/pytorch2onnx.py) and onnxruntime inference:
the deformable convolution in standard ops, a dynamic batch, and the same
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
        assert 'GridSample' in ops  # the deformable convolutions
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
    """The tiny config (flip test on) on a real clip: onnxruntime and torch
    give the same keypoints, frame after frame."""
    from tdmi_mmpose.apis import VideoPoseInferencer
    model, path = export(TINY_CFG, tmp_path, 'tiny')
    ckpt = str(tmp_path / 'tiny.pth')
    boxes = [np.array([[400, 100, 700, 600, 0.9]])] * 5
    results = {}
    for backend in ('pytorch', 'onnxruntime'):
        inf = VideoPoseInferencer(
            TINY_CFG, ckpt, device='cpu', tracker=None, backend=backend,
            onnx_file=path if backend == 'onnxruntime' else None,
                                  det_model='whole_image')
        results[backend] = [r['predictions'][0][0]['keypoints']
                            for r in inf(FRAMES, bboxes=boxes)]
    assert len(results['onnxruntime']) == 5
    diff = np.abs(np.array(results['onnxruntime']) -
                  np.array(results['pytorch']))
    assert diff.max() <= 0.5
    with pytest.raises(ValueError, match='give onnx_file'):
        VideoPoseInferencer(TINY_CFG, ckpt, device='cpu',
                            backend='onnxruntime', det_model='whole_image')
