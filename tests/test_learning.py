"""TDMI learns with its MI objective (alpha = 1): 40 iterations of the
main job's TDMI config lower L_H at least 90% as much as without L_MI."""
import numpy as np
import pytest
from conftest import ROOT
from mmengine.config import Config
from mmengine.runner import Runner

from tdmi_mmpose.datasets.synthetic_videos import generate_synthetic_videos

CFG = f'{ROOT}/configs/tdmi/synthetic/tdmi_hrnet-w8_synthetic-videos-128x96.py'


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('learn') / 'data')
    generate_synthetic_videos(root, logger=lambda m: None, seed=0,
                              num_train_videos=10, num_val_videos=1,
                              num_frames=12)
    return root + '/'


def short_training(data_root, work_dir, iters, log_interval=10):
    """The main job's TDMI config for ``iters`` iterations in this
    process: no validation, no checkpoint, seed 0."""
    cfg = Config.fromfile(CFG)
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters,
                         val_interval=10**6)
    cfg.param_scheduler = []
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=10**6, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=log_interval)
    cfg.randomness = dict(seed=0)
    cfg.work_dir = str(work_dir)
    return cfg


def logged(runner):
    """Every ``train/`` scalar of each iteration."""
    hub = runner.message_hub
    return {k: np.asarray(hub.get_scalar(k).data[0])
            for k in hub.log_scalars if k.startswith('train/')}


def train_40(data_root, work_dir, mi):
    """``loss_kpt`` and the logged MI terms of each of 40 iterations."""
    cfg = short_training(data_root, work_dir, 40)
    if not mi:
        cfg.model.head.mi_loss = None
    runner = Runner.from_cfg(cfg)
    runner.train()
    return logged(runner)


def test_mi_objective_does_not_slow_heatmap_learning(data_root, tmp_path):
    without = train_40(data_root, tmp_path / 'no_mi', mi=False)
    with_mi = train_40(data_root, tmp_path / 'mi', mi=True)

    def drop(log):
        kpt = log['train/loss_kpt']
        assert len(kpt) == 40
        return kpt[:5].mean() - kpt[-5:].mean()

    assert drop(without) > 0
    assert drop(with_mi) >= 0.9 * drop(without), (drop(with_mi),
                                                  drop(without))
    # every term logged at every iteration, within its bound (log 2)
    for term in ('un', 'mu', 'uy', 'fy'):
        values = with_mi[f'train/loss_mi_{term}']
        assert len(values) == 40 and np.all(np.abs(values) <= np.log(2))
    for scale in ('m', 'mu', 'mn'):
        assert np.all(np.isfinite(with_mi[f'train/scale_{scale}']))
