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
