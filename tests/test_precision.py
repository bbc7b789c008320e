"""Issue-level guarantees for training at scale, checked on the CPU: one
deformable convolution without ``mmcv.ops`` (equal to mmcv's kernel, same
state dict), bf16 autocast end to end, activation checkpointing that keeps
loss and gradients, and ``--amp`` refusing what the device cannot run."""
import ast
import glob
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import ROOT, TINY_CFG
from mmengine.config import Config
from mmengine.runner import Runner
from test_learning import data_root, logged, short_training  # noqa: F401


PY = sys.executable


def test_pose_model_code_imports_no_mmcv_ops():
    """Nothing under tdmi_mmpose/models imports ``mmcv.ops`` (compiled
    kernels): the pose model runs wherever torch does."""
    offenders = []
    for path in glob.glob(osp.join(ROOT, 'tdmi_mmpose', 'models', '**',
                                   '*.py'), recursive=True):
        tree = ast.parse(open(path, encoding='utf-8').read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f'{node.module}.{a.name}'
                                         for a in node.names]
            if any(n == 'mmcv.ops' or n.startswith('mmcv.ops.')
                   for n in names):
                offenders.append(osp.relpath(path, ROOT))
    assert not offenders


# TDE's DCN: 3x3, padding 1, one deform group, C in = C out; plus the
# general cases the layer supports.
TDE_SHAPES = [((2, 8, 24, 18), dict(padding=1)),
              ((1, 48, 12, 9), dict(padding=1)),
              ((2, 8, 12, 10), dict(padding=1, deform_groups=2, groups=2)),
              ((1, 6, 9, 11), dict(stride=2, padding=2, dilation=2,
                                   deform_groups=3))]


@pytest.mark.parametrize('shape,kwargs', TDE_SHAPES)
def test_dcn_equals_mmcv_cpu_kernel_forward_and_backward(shape, kwargs):
    """float64: output and the gradients of input, offsets (up to 12 px,
    beyond the borders), mask, weight and bias equal mmcv's kernel, and so
    does the output of the inference path (no grad)."""
    from mmcv.ops import ModulatedDeformConv2d as MMCVDCN

    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    torch.manual_seed(0)
    b, c, h, w = shape
    ref = MMCVDCN(c, c, 3, **kwargs).double()
    ours = ModulatedDeformConv2d(c, c, 3, **kwargs).double()
    ours.load_state_dict(ref.state_dict())
    k = 9 * kwargs.get('deform_groups', 1)
    p, d, st = (kwargs.get(n, dv) for n, dv in (('padding', 0),
                                                ('dilation', 1),
                                                ('stride', 1)))
    ho, wo = ((n + 2 * p - 2 * d - 1) // st + 1 for n in (h, w))
    x = torch.randn(shape, dtype=torch.float64)
    offset = torch.randn(b, 2 * k, ho, wo, dtype=torch.float64) * 4
    # beyond the borders (not on whole pixels, where the bilinear gradient
    # is one-sided and the kernels may pick either side)
    offset[:, :, 0, 0] = 30.3
    offset[:, :, -1, -1] = -31.7
    mask = torch.rand(b, k, ho, wo, dtype=torch.float64)
    grads = []
    for module in (ref, ours):
        inputs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        out = module(*inputs)
        out.backward(torch.linspace(-1, 1, out.numel(),
                                    dtype=torch.float64).view_as(out))
        grads.append([out] + [t.grad for t in inputs] +
                     [module.weight.grad, module.bias.grad])
    for name, a, b_ in zip(('out', 'x', 'offset', 'mask', 'weight', 'bias'),
                           *grads):
        torch.testing.assert_close(b_, a, atol=1e-10, rtol=1e-10, msg=name)
    with torch.no_grad():  # the inference path: in place, one batched GEMM
        torch.testing.assert_close(ours(x, offset, mask), grads[0][0],
                                   atol=1e-10, rtol=1e-10, msg='no grad')


def test_dcn_state_dict_loads_both_ways_and_initialises_like_mmcv():
    from mmcv.ops import ModulatedDeformConv2d as MMCVDCN

    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    ref, ours = MMCVDCN(8, 8, 3, padding=1), ModulatedDeformConv2d(
        8, 8, 3, padding=1)
    assert list(ref.state_dict()) == list(ours.state_dict()) == [
        'weight', 'bias']
    # mmcv's initialisation: uniform within 1/sqrt(C*3*3), zero bias
    bound = 1 / np.sqrt(8 * 9)
    for m in (ref, ours):
        assert m.weight.abs().max() <= bound and not m.bias.any()
    ours.load_state_dict(ref.state_dict())
    assert torch.equal(ours.weight, ref.weight)
    torch.nn.init.normal_(ours.weight)
    ref.load_state_dict(ours.state_dict())
    assert torch.equal(ours.weight, ref.weight)


def test_tde_checkpoint_from_mmcv_layers_loads():
    """A TDE whose DCNs are mmcv's (checkpoints saved before this layer)
    loads into today's TDE with strict keys, and back."""
    from mmcv.ops import ModulatedDeformConv2d as MMCVDCN

    from tdmi_mmpose.models.necks import TDE
    old, new = TDE(in_channels=8, channels=8), TDE(in_channels=8,
                                                   channels=8)
    for m in old.modulation:
        m.dcn = MMCVDCN(8, 8, 3, padding=1)
    new.load_state_dict(old.state_dict(), strict=True)
    old.load_state_dict(new.state_dict(), strict=True)


def test_dcn_under_bf16_autocast_samples_in_float32():
    """Under CPU bf16 autocast the sampling positions stay exact: the output
    is close to the float32 one (bf16 products only), not half a pixel
    off."""
    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    torch.manual_seed(0)
    dcn = ModulatedDeformConv2d(8, 8, 3, padding=1)
    x = torch.randn(1, 8, 96, 72)
    offset = torch.rand(1, 18, 96, 72) * 0.9
    mask = torch.rand(1, 9, 96, 72)
    ref = dcn(x, offset, mask)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = dcn(x.bfloat16(), offset.bfloat16(), mask.bfloat16())
    assert out.dtype in (torch.float32, torch.bfloat16)
    err = (out.float() - ref).abs().max() / ref.abs().max()
    assert err < 0.03, err


def test_bf16_autocast_training_gives_finite_losses_and_accuracy(
        data_root, tmp_path):
    """The built-in-video TDMI config trains 12 iterations with every
    forward under bf16 autocast on the runner's device (the CPU in CI):
    convolutions really run in bf16, and every loss term and ``acc_pose``
    is logged and finite."""
    runner = Runner.from_cfg(short_training(data_root, tmp_path, 12, 4))
    device = next(runner.model.parameters()).device.type
    if device == 'cuda' and not torch.cuda.is_bf16_supported():
        pytest.skip('this GPU has no bfloat16')
    dtypes = set()
    runner.model.backbone.conv1.register_forward_hook(
        lambda m, i, o: dtypes.add(o.dtype))
    with torch.autocast(device, dtype=torch.bfloat16):
        runner.train()
    assert dtypes == {torch.bfloat16}
    scalars = logged(runner)
    for key in ('loss', 'loss_kpt', 'loss_mi_un', 'loss_mi_mu',
                'loss_mi_uy', 'loss_mi_fy', 'acc_pose'):
        assert len(scalars[f'train/{key}']) == 12, key
        assert np.all(np.isfinite(scalars[f'train/{key}'])), key
    assert scalars['train/acc_pose'].max() >= 0
    assert all(torch.isfinite(p).all() for p in runner.model.parameters())


def _tiny_model_and_batch(with_cp):
    from mmpose.registry import MODELS
    cfg = Config.fromfile(TINY_CFG)
    cfg.model.backbone.with_cp = with_cp
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    from mmpose.registry import DATASETS
    from mmengine.dataset import pseudo_collate
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(1)
    np.random.seed(1)
    batch = pseudo_collate([dataset[i] for i in range(2)])
    return model, batch


def test_activation_checkpointing_keeps_loss_and_gradients():
    """``model.backbone.with_cp=True``: one training step of the tiny config
    gives the same loss and gradients (1e-5) as without, and the backbone
    really checkpoints (its residual blocks keep no activations for the
    backward pass)."""
    results = []
    for with_cp in (False, True):
        model, batch = _tiny_model_and_batch(with_cp)
        model.train()
        data = model.data_preprocessor(batch, training=True)
        losses = model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        loss.backward()
        # what the backbone keeps for its backward pass
        saved = []
        with torch.autograd.graph.saved_tensors_hooks(
                lambda t: saved.append(t.numel()) or t, lambda t: t):
            model.backbone(data['inputs'].flatten(0, 1))
        results.append((loss.detach(), {
            n: p.grad.clone() for n, p in model.named_parameters()
            if p.grad is not None}, sum(saved)))
    (loss0, grads0, kept0), (loss1, grads1, kept1) = results
    torch.testing.assert_close(loss1, loss0, atol=1e-5, rtol=1e-5)
    assert grads0.keys() == grads1.keys() and len(grads0) > 100
    for name in grads0:
        torch.testing.assert_close(grads1[name], grads0[name], atol=1e-5,
                                   rtol=1e-4, msg=name)
    assert kept1 < 0.9 * kept0, (kept1, kept0)


def test_full_size_configs_offer_activation_checkpointing():
    for path in glob.glob(osp.join(ROOT, 'configs', 'tdmi', '**',
                                   '*w48*.py'), recursive=True):
        assert Config.fromfile(path).model.backbone.with_cp is False, path


def _tool(*args):
    return subprocess.run([PY, *map(str, args)], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)


@pytest.mark.skipif(torch.cuda.is_available(), reason='CUDA present')
@pytest.mark.parametrize('tool,amp', [('train', []), ('train', ['bf16']),
                                      ('test', ['fp16'])])
def test_amp_the_cpu_cannot_run_stops_with_what_to_use(tool, amp, tmp_path):
    extra = ['ckpt.pth'] if tool == 'test' else []
    proc = _tool(f'tools/{tool}.py', TINY_CFG, *extra, '--work-dir',
                 tmp_path, '--amp', *amp)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    dtype = amp[0] if amp else 'fp16'
    assert last.startswith(f'--amp {dtype}') and 'without --amp' in last
    assert 'Traceback' not in proc.stderr


def test_cuda_path_function_has_the_same_layout():
    """torchvision's ``deform_conv2d`` (the CUDA path; its CPU kernel here)
    gives the grid_sample path's output and gradients in float64, groups
    and deform groups included: one layout on every device."""
    from torchvision.ops import deform_conv2d

    from tdmi_mmpose.models.utils import ModulatedDeformConv2d
    torch.manual_seed(0)
    dcn = ModulatedDeformConv2d(6, 4, 3, padding=1, groups=2,
                                deform_groups=3).double()
    x = torch.randn(2, 6, 9, 7, dtype=torch.float64)
    offset = torch.randn(2, 2 * 3 * 9, 9, 7, dtype=torch.float64) * 3
    mask = torch.rand(2, 3 * 9, 9, 7, dtype=torch.float64)
    outs = []
    for fn in (lambda *a: dcn(*a), lambda x_, o, m: deform_conv2d(
            x_, o, dcn.weight, dcn.bias, padding=1, mask=m)):
        inputs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        out = fn(*inputs)
        out.sum().backward()
        outs.append([out] + [t.grad for t in inputs])
    for a, b in zip(*outs):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-10)
    # a non-zero offset changes the result: the op really deforms
    assert not torch.allclose(outs[0][0], dcn(x, torch.zeros_like(offset),
                                              mask))
