"""The ablation tool (tools/analysis/ablation.py) and the MI objective's
options it measures."""
import json
import math
import os.path as osp
import subprocess
import sys

import pytest
import torch
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
from ablation import MODELS, SETS, aggregate, summary  # noqa: E402


def test_summary_is_mean_sample_std_and_t_interval():
    s = summary([1.0, 2.0, 3.0])
    assert s['mean'] == 2.0 and s['std'] == pytest.approx(1.0)
    half = 4.302653 / math.sqrt(3)  # t(0.975, 2 dof)
    assert s['ci95'] == pytest.approx([2 - half, 2 + half], abs=1e-5)
    one = summary([5.0])
    assert one['mean'] == 5.0 and math.isnan(one['std'])


def test_differences_are_paired_by_seed():
    """A model 2 points above the reference in every seed has a paired
    difference of exactly +2 with no spread, however far the seeds
    spread."""
    runs = {'ref': {0: dict(all=10.0), 1: dict(all=40.0), 2: dict(all=25.0)},
            'b': {0: dict(all=12.0), 1: dict(all=42.0), 2: dict(all=27.0)}}
    runs = {m: {s: dict(v, degraded=v['all'], clean=v['all'])
                for s, v in r.items()} for m, r in runs.items()}
    stats = aggregate(runs, ['ref', 'b'], 'ref', [0, 1, 2])
    diff = stats['b']['all']['minus_reference']
    assert diff['mean'] == pytest.approx(2.0) and diff['std'] == 0
    assert stats['b']['all']['std'] == pytest.approx(15.0)
    assert 'minus_reference' not in stats['ref']['all']


def test_every_set_names_configs_that_exist():
    for names, reference in SETS.values():
        assert reference in names
        for name in names:
            assert osp.isfile(osp.join(ROOT, 'configs', 'tdmi', 'synthetic',
                                       MODELS[name][1])), name


def test_tool_runs_records_and_resumes(tmp_path):
    """Two runs trained at a time (--jobs 2, worker processes), recorded,
    then a second call that finds both done."""
    cmd = [sys.executable, 'tools/analysis/ablation.py', '--quick',
           '--configs', 'tdmi', 'tdmi-no-mi', '--seeds', '1', '--work-dir',
           str(tmp_path)]
    first = subprocess.run(cmd + ['--jobs', '2'], cwd=ROOT, text=True,
                           capture_output=True, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    assert '2 runs to do, 0 already done' in first.stdout
    assert '2 runs at a time' in first.stdout
    assert 'run 2/2: TDMI without L_MI, seed 0' in first.stdout
    assert '2/2 done' in first.stdout
    results = json.loads((tmp_path / 'results.json').read_text())
    assert set(results['stats']) == {'tdmi', 'tdmi-no-mi'}
    assert 'minus_reference' in results['stats']['tdmi-no-mi']['degraded']
    assert (tmp_path / 'results.md').read_text().count('| TDMI') == 2
    again = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True,
                           timeout=900)
    assert again.returncode == 0
    assert '0 runs to do, 2 already done' in again.stdout


@pytest.mark.parametrize('distill,grad_enhanced,grad_parts', [
    ('parts', False, True), ('enhanced', True, False), ('both', True, True)])
def test_mi_distill_direction_decides_which_side_learns(
        distill, grad_enhanced, grad_parts):
    from tdmi_mmpose.models.losses import MutualInformationLoss
    torch.manual_seed(0)
    loss = MutualInformationLoss(distill=distill,
                                 term_weights=dict(un=0.0, mu=0.0))
    maps = [torch.randn(2, 3, 8, 6, requires_grad=True) for _ in range(5)]
    out = loss(*maps)
    (out['loss_mi_uy'] + out['loss_mi_fy']).backward()
    motion, useful, noisy, visual, enhanced = maps

    def learns(t):
        return t.grad is not None and bool(t.grad.abs().sum() > 0)
    assert learns(enhanced) == grad_enhanced
    assert learns(useful) == learns(visual) == grad_parts
    with pytest.raises(ValueError, match='distill must be one of'):
        MutualInformationLoss(distill='teacher')
