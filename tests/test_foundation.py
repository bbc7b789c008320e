"""Foundation: registration, compiled ops, checkpoint loading, configs."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import ROOT, TINY_CFG
from mmengine.config import Config

import tdmi_mmpose

REGISTERED = {
    'MODELS': ['TDMIHRNet', 'TDE', 'RDM', 'TDMIHead',
               'MutualInformationLoss', 'HeatmapL2Loss',
               'VideoTopdownPoseEstimator',
               'VideoPoseDataPreprocessor'],
    'DATASETS': ['PoseTrackClipDataset', 'PoseTrack17ClipDataset',
                 'PoseTrack18ClipDataset', 'PoseTrack21ClipDataset',
                 'HiEveClipDataset'],
    'TRANSFORMS': ['LoadVideoFrames'],
    'METRICS': ['PoseTrackMAPMetric'],
}


@pytest.mark.parametrize('registry,name', [(r, n)
                                           for r, names in REGISTERED.items()
                                           for n in names])
def test_registered_in_mmpose(registry, name):
    import mmpose.registry
    cls = getattr(mmpose.registry, registry).get(name)
    assert cls is not None, f'{name} not in mmpose.registry.{registry}'
    assert cls.__module__.startswith('tdmi_mmpose.')


def test_dcnv2_matches_torchvision_on_cpu():
    from mmcv.ops import ModulatedDeformConv2d
    from torchvision.ops import deform_conv2d
    torch.manual_seed(0)
    dcn = ModulatedDeformConv2d(6, 4, 3, padding=1, deform_groups=2)
    x = torch.randn(2, 6, 9, 7)
    offset = torch.randn(2, 2 * 2 * 9, 9, 7) * 2
    mask = torch.rand(2, 2 * 9, 9, 7)
    ours = dcn(x, offset, mask)
    ref = deform_conv2d(x, offset, dcn.weight, dcn.bias, padding=1,
                        mask=mask)
    assert ours.shape == (2, 4, 9, 7)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)
    # a non-zero offset changes the result: the op really deforms
    assert not torch.allclose(ours, dcn(x, torch.zeros_like(offset), mask))


@pytest.mark.parametrize('shape, kwargs', [
    ((2, 8, 12, 10), dict(padding=1)),
    ((2, 8, 12, 10), dict(padding=1, deform_groups=2, groups=2)),
    ((1, 6, 9, 11), dict(stride=2, padding=2, dilation=2, deform_groups=3)),
    ((2, 4, 7, 7), dict(padding=0, deform_groups=4)),
])
def test_cpu_dcn_path_equals_mmcv_forward_and_backward(shape, kwargs):
    """DeformConv2dCPU (grid_sample path) against mmcv's kernel: outputs
    and the gradients of input, offsets (up to 12 px, beyond the borders),
    mask, weight and bias."""
    from mmcv.ops import ModulatedDeformConv2d

    from tdmi_mmpose.models.utils import DeformConv2dCPU
    torch.manual_seed(0)
    b, c, h, w = shape
    ref = ModulatedDeformConv2d(c, c, 3, **kwargs).double()
    fast = DeformConv2dCPU(c, c, 3, **kwargs).double()
    fast.load_state_dict(ref.state_dict())  # same parameters, same keys
    x = torch.randn(shape, dtype=torch.float64)
    k = 9 * kwargs.get('deform_groups', 1)
    p = kwargs.get('padding', 0)
    d = kwargs.get('dilation', 1)
    st = kwargs.get('stride', 1)
    ho, wo = ((n + 2 * p - 2 * d - 1) // st + 1 for n in (h, w))
    offset = torch.randn(b, 2 * k, ho, wo, dtype=torch.float64) * 4
    offset[:, :, 0, 0] = 12.0  # far beyond the border
    mask = torch.rand(b, k, ho, wo, dtype=torch.float64)
    grads = []
    for module in (ref, fast):
        inputs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        out = module(*inputs)
        out.backward(torch.linspace(-1, 1, out.numel(),
                                    dtype=torch.float64).view_as(out))
        grads.append([out] + [t.grad for t in inputs] +
                     [module.weight.grad, module.bias.grad])
    for name, a, b_ in zip(('out', 'x', 'offset', 'mask', 'weight', 'bias'),
                           *grads):
        torch.testing.assert_close(b_, a, atol=1e-5, rtol=0, msg=name)


def test_tde_uses_the_cpu_dcn_path():
    from tdmi_mmpose.models.necks import TDE
    from tdmi_mmpose.models.utils import DeformConv2dCPU
    tde = TDE(in_channels=8, channels=8)
    assert all(isinstance(m.dcn, DeformConv2dCPU) for m in tde.modulation)


def _checkpoint_with_numpy_meta(model, path):
    torch.save(dict(
        state_dict=model.state_dict(),
        meta=dict(epoch=np.int64(3), best=np.float64(0.5),
                  hist=np.arange(4, dtype=np.float32),
                  dtype=np.dtype('float32'))), path)


def test_checkpoint_with_numpy_meta_loads_safely(tmp_path):
    from mmengine.runner import load_checkpoint
    from mmpose.apis import init_model
    cfg = Config.fromfile(TINY_CFG)
    model = init_model(cfg, None, device='cpu')
    for p in model.parameters():
        torch.nn.init.normal_(p)
    ckpt = str(tmp_path / 'numpy_meta.pth')
    _checkpoint_with_numpy_meta(model, ckpt)
    # safe loading is still on for anything else
    with pytest.raises(Exception):
        torch.save({'x': object()}, tmp_path / 'bad.pth')
        torch.load(tmp_path / 'bad.pth')
    fresh = init_model(cfg, None, device='cpu')
    meta = load_checkpoint(fresh, ckpt, map_location='cpu')['meta']
    assert meta['epoch'] == 3 and meta['hist'].tolist() == [0, 1, 2, 3]
    loaded = init_model(cfg, ckpt, device='cpu')
    for (name, a), b in zip(model.state_dict().items(),
                            loaded.state_dict().values()):
        assert torch.equal(a, b), name


CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True) if '_base_' not in p)
POSE_CONFIGS = [c for c in CONFIGS if not c.startswith('configs/detection')]
DET_CONFIGS = [c for c in CONFIGS if c.startswith('configs/detection')]


@pytest.mark.parametrize('config', POSE_CONFIGS)
def test_every_config_builds_its_model(config):
    from mmpose.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, config))
    assert 'tdmi_mmpose' in cfg.custom_imports['imports']
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize('config', DET_CONFIGS)
def test_detector_configs_build_a_one_class_mmdet_model(config):
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    cfg = Config.fromfile(osp.join(ROOT, config))
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    assert model.bbox_head.num_classes == 1
    assert cfg.model.backbone.init_cfg is None  # nothing is downloaded


def test_version():
    assert tdmi_mmpose.__version__


CRAFTED = '''
import pickle, sys
import numpy as np, torch
import tdmi_mmpose  # noqa
from mmpose.apis import init_model


class ObjectArray:
    """An ndarray whose pickled state claims an object dtype over raw
    bytes: unpickled as such, the bytes become object pointers."""

    def __reduce__(self):
        core = np._core.multiarray
        return (core._reconstruct, (np.ndarray, (0, ), b'b'),
                (1, (2, ), np.dtype('O'), False, b'\\x41' * 16))


torch.save(dict(state_dict={}, meta=dict(hist=ObjectArray())), sys.argv[2])
try:
    init_model(sys.argv[1], sys.argv[2], device='cpu')
except RuntimeError as err:
    print('REFUSED', err)
    sys.exit(3)
print('LOADED')
'''


def test_crafted_object_dtype_checkpoint_is_refused(tmp_path):
    """A checkpoint that turns raw bytes into object pointers (it crashed
    the interpreter with SIGSEGV) is refused with an error naming it."""
    import subprocess
    import sys
    script = tmp_path / 'crafted.py'
    script.write_text(CRAFTED)
    ckpt = tmp_path / 'crafted.pth'
    proc = subprocess.run([sys.executable, str(script), TINY_CFG, str(ckpt)],
                          capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 3, (proc.returncode, proc.stderr[-2000:])
    assert f'REFUSED checkpoint {ckpt} was refused by safe loading' in \
        proc.stdout
    assert 'object and structured dtypes are refused' in proc.stdout


def test_safe_loading_is_scoped_and_names_bad_files(tmp_path):
    from tdmi_mmpose.utils import load_checkpoint_safely
    # nothing of numpy's is on torch's process-wide allow-list
    allowed = torch.serialization.get_safe_globals()
    assert not any(getattr(g, '__module__', '').startswith('numpy') or (
        isinstance(g, tuple) and 'numpy' in g[1]) for g in allowed)
    with pytest.raises(Exception):
        torch.save({'a': np.arange(3)}, tmp_path / 'np.pth')
        torch.load(tmp_path / 'np.pth')  # plain torch.load still refuses
    assert load_checkpoint_safely(str(tmp_path / 'np.pth'))['a'].tolist() \
        == [0, 1, 2]
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(RuntimeError, match='empty.pth is empty'):
        load_checkpoint_safely(str(empty))
    text = tmp_path / 'notes.pth'
    text.write_text('not a checkpoint')
    with pytest.raises(RuntimeError, match='notes.pth is not a readable '
                       'PyTorch checkpoint'):
        load_checkpoint_safely(str(text))
    with pytest.raises(FileNotFoundError, match='missing.pth does not'):
        load_checkpoint_safely(str(tmp_path / 'missing.pth'))


def test_http_checkpoints_load_safely_from_the_hub_cache(tmp_path,
                                                         monkeypatch):
    from mmengine.runner import CheckpointLoader
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    (tmp_path / 'hub' / 'checkpoints').mkdir(parents=True)
    torch.save(dict(meta=dict(epoch=np.int64(7))),
               tmp_path / 'hub' / 'checkpoints' / 'zoo.pth')
    ckpt = CheckpointLoader.load_checkpoint('https://example.org/m/zoo.pth')
    assert ckpt['meta']['epoch'] == 7
