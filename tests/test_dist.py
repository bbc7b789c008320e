"""Distributed training as users start it (tools/dist_train.sh), here with
two CPU processes and gloo."""
import os
import os.path as osp
import socket
import subprocess
import sys

import torch
from conftest import ROOT, TINY_CFG


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_two_cpu_processes_end_with_equal_weights(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1',
               PYTHONPATH=osp.join(ROOT, 'tests', 'helpers'),
               CUDA_VISIBLE_DEVICES='')
    # the tiny config, plus a test hook that saves each rank's weights
    cfg = tmp_path / 'tiny_dist.py'
    cfg.write_text(
        f'_base_ = [{TINY_CFG!r}]\n'
        "custom_imports = dict(imports=['tdmi_mmpose', 'rank_weights_hook'],"
        ' allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='SyncBuffersHook'), "
        "dict(type='SaveRankWeightsHook')]\n")
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir',
         str(tmp_path / 'work'), '--cfg-options', 'train_cfg.max_epochs=2',
         'train_cfg.val_interval=3'],
        cwd=ROOT, env=env, text=True, capture_output=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert 'Distributed launcher: pytorch' in out
    assert 'Distributed training: True' in out
    ranks = [torch.load(tmp_path / 'work' / f'rank{r}.pth', weights_only=True)
             for r in (0, 1)]
    for r in ranks:
        assert r['world_size'] == 2
        assert r['wrapper'] == 'MMDistributedDataParallel'
    state0, state1 = ranks[0]['state'], ranks[1]['state']
    assert state0.keys() == state1.keys()
    for key in state0:
        assert torch.equal(state0[key], state1[key]), key
    # and they trained: the weights moved away from rank 0's checkpoint of
    # epoch 1 (gradients were all-reduced, not just frozen)
    epoch1 = torch.load(tmp_path / 'work' / 'epoch_1.pth', weights_only=False)
    moved = [k for k in state0 if state0[k].is_floating_point() and
             not torch.equal(state0[k], epoch1['state_dict'][k])]
    for part in ('backbone.', 'neck.', 'head.'):
        assert any(k.startswith(part) for k in moved), part
