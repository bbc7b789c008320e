"""GPU checks, skipped without CUDA (CI is CPU-only). On a GPU machine:

    .venv/bin/python -m pytest tests/test_cuda.py -v

They train the built-in-video TDMI config for a few iterations in fp32,
fp16 and bf16 through ``tools/train.py``, compare the DCN layer on CUDA
(torchvision's kernel) with the CPU path, and check that ``tools/test.py``
on the trained checkpoint gives the validation's mAP.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import ROOT

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason='needs a CUDA device')
CFG = osp.join(ROOT, 'configs', 'tdmi', 'synthetic',
               'tdmi_hrnet-w8_synthetic-videos-128x96.py')
PY = sys.executable
EPOCHS = 4  # 7 iterations of batch 16 each on these videos


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """A folder holding ``data/synthetic_videos`` (the config's data root
    is relative to the working directory)."""
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    ws = tmp_path_factory.mktemp('cuda')
    generate_synthetic_videos(str(ws / 'data' / 'synthetic_videos'),
                              logger=lambda m: None, seed=0,
                              num_train_videos=8, num_val_videos=2,
                              num_frames=12)
    return ws


def run_tool(ws, *args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT] + os.environ.get('PYTHONPATH', '').split(os.pathsep)))
    proc = subprocess.run([PY, *map(str, args)], cwd=ws, env=env, text=True,
                          capture_output=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return proc.stdout + proc.stderr


def scalars(work_dir):
    """Every record of the run's ``vis_data/scalars.json``."""
    path, = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize('amp', [None, 'fp16', 'bf16'])
def test_training_iterations_have_finite_falling_loss(workspace, amp):
    if amp == 'bf16' and not torch.cuda.is_bf16_supported():
        pytest.skip('this GPU has no bfloat16')
    work = workspace / f'train_{amp}'
    run_tool(workspace, osp.join(ROOT, 'tools', 'train.py'), CFG,
             '--work-dir', work, '--no-validate',
             *(['--amp', amp] if amp else []), '--cfg-options',
             f'train_cfg.max_epochs={EPOCHS}',
             'default_hooks.logger.interval=1',
             'default_hooks.checkpoint.save_best=None')
    records = [r for r in scalars(work) if 'loss_kpt' in r]
    kpt = np.array([r['loss_kpt'] for r in records])
    assert len(kpt) >= 20
    assert all(np.isfinite(r[k]) for r in records for k in r
               if k.startswith(('loss', 'acc')))
    assert kpt[-5:].mean() < kpt[:5].mean(), kpt


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_dcn_on_cuda_equals_the_cpu_path(dtype):
    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    torch.manual_seed(0)
    dcn = ModulatedDeformConv2d(48, 48, 3, padding=1).to(dtype)
    x = torch.randn(4, 48, 24, 18, dtype=dtype)
    offset = torch.randn(4, 18, 24, 18, dtype=dtype) * 3
    mask = torch.rand(4, 9, 24, 18, dtype=dtype)
    results = []
    for device in ('cpu', 'cuda'):
        dcn.to(device).zero_grad()
        inputs = [t.to(device).detach().requires_grad_()
                  for t in (x, offset, mask)]
        out = dcn(*inputs)
        out.square().sum().backward()
        results.append([t.detach().cpu() for t in [
            out, inputs[0].grad, inputs[2].grad, dcn.weight.grad]])
    tol = 1e-10 if dtype == torch.float64 else 1e-3
    for a, b in zip(*results):
        torch.testing.assert_close(b, a, atol=tol, rtol=tol)
    with torch.autocast('cuda', dtype=torch.bfloat16):
        out = dcn(x.cuda(), offset.cuda(), mask.cuda())
    assert torch.isfinite(out).all()


def test_test_tool_reproduces_the_validation_map(workspace):
    work = workspace / 'train_val'
    run_tool(workspace, osp.join(ROOT, 'tools', 'train.py'), CFG,
             '--work-dir', work, '--cfg-options', 'train_cfg.max_epochs=1',
             'default_hooks.checkpoint.save_best=None')
    val = [r for r in scalars(work) if 'posetrack/Mean' in r][-1]
    run_tool(workspace, osp.join(ROOT, 'tools', 'test.py'), CFG,
             work / 'epoch_1.pth', '--work-dir', workspace / 'test',
             '--out', workspace / 'metrics.json')
    with open(workspace / 'metrics.json') as f:
        test = json.load(f)
    assert abs(test['posetrack/Mean'] - val['posetrack/Mean']) < 0.05
