"""Command-line tools, run as a user runs them (subprocesses)."""
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, TINY_CFG

PY = sys.executable


def run(*cmd, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    return out


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    work = tmp_path_factory.mktemp('train')
    out = run(PY, 'tools/train.py', TINY_CFG, '--work-dir', work,
              '--cfg-options', 'train_cfg.max_epochs=1')
    assert osp.exists(work / 'epoch_1.pth'), out[-2000:]
    return work, out


def test_train_logs_every_loss_term(trained):
    _, out = trained
    for key in ('loss_kpt', 'loss_mi_un', 'loss_mi_mu', 'loss_mi_uy',
                'loss_mi_fy'):
        assert re.search(rf'{key}: -?\d', out), key


def test_test_tool_prints_the_per_joint_table(trained, tmp_path):
    work, _ = trained
    out = run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth',
              '--work-dir', tmp_path, '--out', tmp_path / 'preds.pkl')
    assert re.search(r'Head \| Shoulder \| +Elbow \| +Wrist \| +Hip \| '
                     r'+Knee \| +Ankle \| +Mean', out)
    assert 'posetrack/Mean' in out
    assert osp.exists(tmp_path / 'preds.pkl')


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    work, _ = trained
    shutil.copytree(work, tmp_path / 'w', dirs_exist_ok=True)
    # a config's load_from (pretrained weights) must not be taken for the
    # checkpoint to resume
    out = run(PY, 'tools/train.py', TINY_CFG, '--work-dir', tmp_path / 'w',
              '--resume', '--cfg-options', 'train_cfg.max_epochs=2',
              f'load_from={tmp_path}/pretrained_not_here.pth')
    assert 'resumed epoch: 1' in out
    assert osp.exists(tmp_path / 'w' / 'epoch_2.pth')


@pytest.mark.parametrize('record', [b'', b'\xff\xfe garbage \x00'])
def test_resume_survives_a_bad_last_checkpoint_file(trained, tmp_path,
                                                    record):
    work, _ = trained
    shutil.copytree(work, tmp_path / 'w', dirs_exist_ok=True)
    (tmp_path / 'w' / 'last_checkpoint').write_bytes(record)
    out = run(PY, 'tools/train.py', TINY_CFG, '--work-dir', tmp_path / 'w',
              '--resume', '--cfg-options', 'train_cfg.max_epochs=2')
    assert 'names no existing checkpoint' in out
    assert 'resumed epoch: 1' in out


def test_resume_in_an_empty_work_dir_says_so(tmp_path):
    out = run(PY, 'tools/train.py', TINY_CFG, '--work-dir', tmp_path,
              '--resume', '--cfg-options', 'train_cfg.max_epochs=1')
    assert f'no checkpoint in {tmp_path}; training starts from the ' \
        'beginning' in out
    assert 'latest checkpoint None' not in out
    assert osp.exists(tmp_path / 'epoch_1.pth')


def test_publish_model_keeps_weights_and_loads_safely(trained, tmp_path):
    work, _ = trained
    out = run(PY, 'tools/publish_model.py', work / 'epoch_1.pth',
              tmp_path / 'tdmi_tiny.pth')
    (final, ) = list(tmp_path.glob('tdmi_tiny-*.pth'))
    assert re.fullmatch(r'tdmi_tiny-[0-9a-f]{8}\.pth', final.name)
    assert str(final) in out
    from tdmi_mmpose.utils import load_checkpoint_safely
    ckpt = load_checkpoint_safely(str(final))
    assert set(ckpt) == {'meta', 'state_dict'}
    from mmpose.apis import init_model
    init_model(TINY_CFG, str(final), device='cpu')


def test_test_tool_with_a_frame_without_detections(trained, tmp_path):
    """Detector boxes, one labelled frame left without any: the evaluation
    finishes and reports mAP (it crashed after the inference pass)."""
    work, _ = trained
    sample = osp.join(ROOT, 'tests', 'data', 'posetrack18_sample',
                      'annotations')
    with open(osp.join(sample, 'test_posetrack18_human_detections.json')) \
            as f:
        dets = json.load(f)
    dropped = dets[0]['image_id']
    kept = [d for d in dets if d['image_id'] != dropped]
    (tmp_path / 'dets.json').write_text(json.dumps(kept))
    out = run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth',
              '--work-dir', tmp_path / 'w', '--cfg-options',
              f'test_dataloader.dataset.bbox_file={tmp_path}/dets.json')
    assert re.search(r'posetrack/Mean: [\d.]+', out), out[-2000:]


def test_mim_train_finds_the_packaged_config(tmp_path):
    mim = shutil.which('mim', path=osp.dirname(PY))
    assert mim, 'openmim is part of the environment'
    out = run(mim, 'train', 'tdmi_mmpose', osp.basename(TINY_CFG),
              '--work-dir', tmp_path, '--cfg-options',
              'train_cfg.max_epochs=1')
    assert 'Training finished successfully' in out
    assert osp.exists(tmp_path / 'epoch_1.pth')


def test_cost_tool_prints_the_ratio():
    out = run(PY, 'tools/analysis/get_cost.py', '--config', TINY_CFG,
              '--repeats', '1')
    assert re.search(r'TDE \+ RDM \+ head on top of the 5 backbone passes: '
                     r'[\d.]+% GFLOPs, [\d.]+% latency', out)
    assert re.search(r'TDMI / single-frame: [\d.]+x GFLOPs', out)


def test_loader_benchmark_prints_both_rates():
    out = run(PY, 'tools/analysis/benchmark_loader.py', '--workers', '0',
              '--samples', '5')
    assert 'workers: 0' in out
    assert re.search(r'5-frame TDMI pipeline +: +[\d.]+ samples/s', out)
    assert re.search(r'single-frame mmpose +: +[\d.]+ samples/s', out)


def test_main_job_quick_trains_evaluates_and_renders(tmp_path):
    """The main job on a small built-in set: three models trained, the
    table printed and written, checkpoints that tools/test.py evaluates,
    the side-by-side video; a second run reuses the checkpoints."""
    work = tmp_path / 'job'
    out = run(PY, 'tools/demo.py', '--quick', '--work-dir', work)
    table = re.search(r'model \| +frames \| +Head \|.*\| +Mean\n(.*)', out,
                      re.S).group(1)
    for label in ('mmpose single-frame HRNet', 'TDMI', 'TDMI without L_MI'):
        for subset in ('all', 'degraded', 'clean'):
            assert re.search(rf'{label} \| +{subset} \|( +[\d.]+ \|){{7}} '
                             r'+[\d.]+', table), (label, subset)
    with open(work / 'results.json') as f:
        results = json.load(f)['results']
    assert set(results) == {'single-frame', 'tdmi', 'tdmi-no-mi'}
    assert (work / 'results.md').read_text().count('| TDMI |') == 3
    assert osp.getsize(work / 'side_by_side.mp4') > 10000
    for name in results:
        assert osp.exists(work / name / 'epoch_2.pth')
    # the trained TDMI checkpoint through tools/test.py
    cfg = work / 'tdmi' / 'tdmi_hrnet-w8_synthetic-videos-128x96.py'
    test_out = run(PY, 'tools/test.py', cfg, work / 'tdmi' / 'epoch_2.pth',
                   '--work-dir', tmp_path / 'test')
    assert 'degraded/Mean' in test_out and 'clean/Mean' in test_out
    again = run(PY, 'tools/demo.py', '--quick', '--work-dir', work,
                '--no-video')
    assert again.count('reusing') == 3


def test_mmpose_visualization_hook_draws_key_frames(trained, tmp_path):
    work, _ = trained
    run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
        tmp_path, '--cfg-options', 'default_hooks.visualization.enable=True',
        'default_hooks.visualization.out_dir=vis')
    drawn = [f for _, _, files in os.walk(tmp_path) for f in files
             if f.endswith('.jpg')]
    assert len(drawn) >= 3, drawn  # the 3 labelled key frames
