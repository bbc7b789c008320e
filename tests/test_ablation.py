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

from tdmi_mmpose.experiments.ablation import check_work_dir, markdown
from tdmi_mmpose.experiments.models import SETS, config_path
from tdmi_mmpose.experiments.params import Paths
from tdmi_mmpose.experiments.stats import aggregate, summary


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


def test_markdown_rows_keep_their_columns():
    """A label with a '|' (I(M_u;y|F~)) is escaped: every row of the table
    has as many cells as its header."""
    runs = {m: {s: dict(all=40.0 + s, degraded=39.0, clean=41.0 + s)
                for s in (0, 1)} for m in ('tdmi', 'mi-no-uy')}
    stats = aggregate(runs, ['tdmi', 'mi-no-uy'], 'tdmi', [0, 1])
    table = [line for line in markdown(stats, ['tdmi', 'mi-no-uy'], 'tdmi',
                                       'meta').splitlines()
             if line.startswith('|')]
    cells = {len(line.replace('\\|', '').split('|')) for line in table}
    assert len(table) == 4 and cells == {9}
    assert 'I(M_u;y\\|F~)' in table[-1]


def test_every_set_names_configs_that_exist():
    for names, reference in SETS.values():
        assert reference in names
        for name in names:
            assert osp.isfile(config_path(name)), name


def test_tool_pairs_runs_by_seed_resumes_and_warm_starts(tmp_path):
    """TDMI without L_MI and a warm start x 2 seeds, two at a time (--jobs
    2, worker processes): the warm start's single-frame run of the same
    seed is trained first and its minutes counted; the paired difference is
    the mean of the per-seed differences of the recorded runs; a second
    call finds all six done and trains nothing; a record of a changed
    config runs again; another budget in the same work dir is refused;
    --plot redraws the figures."""
    cmd = [sys.executable, 'tools/analysis/ablation.py', '--quick',
           '--configs', 'tdmi-no-mi', 'warm-e1', '--seeds', '2',
           '--work-dir', str(tmp_path)]
    first = subprocess.run(cmd + ['--jobs', '2'], cwd=ROOT, text=True,
                           capture_output=True, timeout=1200)
    assert first.returncode == 0, first.stderr[-3000:]
    assert '6 runs to do, 0 already done' in first.stdout
    assert '2 runs at a time' in first.stdout
    assert 'TDMI without L_MI, seed 1' in first.stdout
    assert '6/6 done' in first.stdout
    results = json.loads((tmp_path / 'results.json').read_text())
    assert set(results['stats']) == {'single-frame', 'tdmi-no-mi',
                                     'warm-e1'}
    runs = results['runs']
    for subset in ('all', 'degraded', 'clean'):
        diffs = [runs['warm-e1'][s][subset] - runs['tdmi-no-mi'][s][subset]
                 for s in ('0', '1')]
        paired = results['stats']['warm-e1'][subset]['minus_reference']
        assert paired['n'] == 2
        assert paired['mean'] == pytest.approx(sum(diffs) / 2)
        assert paired['std'] == pytest.approx(abs(diffs[0] - diffs[1]) /
                                              math.sqrt(2))
    assert (tmp_path / 'results.md').read_text().count('| TDMI') == 2
    # each warm start begins from the single-frame run of its own seed, and
    # its training minutes count that run
    from mmengine.config import Config
    for seed in (0, 1):
        cfg = Config.fromfile(str(next((tmp_path / 'warm-e1' /
                                        f'e1_seed{seed}').glob('*.py'))))
        assert cfg.model.init_cfg.type == 'WarmStart'
        assert cfg.model.init_cfg.checkpoint == str(
            tmp_path / 'single-frame' / f'e1_seed{seed}' / 'epoch_1.pth')
    minutes = results['train_minutes']
    own = [runs['warm-e1'][s]['train_seconds'] / 60 for s in ('0', '1')]
    assert minutes['warm-e1']['mean'] == pytest.approx(
        minutes['single-frame']['mean'] + sum(own) / 2)
    assert '| training min |' in (tmp_path / 'results.md').read_text()
    # the figures, next to the results: two paired differences, three
    # points
    assert png_info(tmp_path / 'forest.png')['entries'] == [
        'mmpose single-frame HRNet', 'TDMI warm-started, +1 epoch']
    cost = png_info(tmp_path / 'cost.png')
    assert len(cost['entries']) == 3
    assert cost['xlabel'] == ['training minutes (one CPU thread)']
    again = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True,
                           timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert '0 runs to do, 6 already done' in again.stdout
    assert ': training' not in again.stdout  # no run trained again

    # a record of another config is run again (its checkpoint, stamped
    # with this config, is reused); an older record without a stamp is
    # checked against its checkpoint's stamp and kept
    record = tmp_path / 'runs.json'
    runs = json.loads(record.read_text())
    key = next(k for k in runs if k.startswith('tdmi-no-mi/'))
    runs[key]['1']['stamp'] = 'a config changed since'
    del runs[key]['0']['stamp']
    record.write_text(json.dumps(runs))
    third = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True,
                           timeout=900)
    assert third.returncode == 0, third.stderr[-3000:]
    assert ('TDMI without L_MI, seed 1: the recorded run was trained with '
            'another config') in third.stdout
    assert '1 runs to do, 5 already done' in third.stdout
    assert ': reusing' in third.stdout and ': training' not in third.stdout
    runs = json.loads(record.read_text())
    assert runs[key]['1']['stamp'] != 'a config changed since'
    assert 'stamp' in runs[key]['0']  # the older record, now stamped

    # the same work dir at another budget: one line, nothing changed
    before = {p: p.read_bytes() for p in tmp_path.glob('*.json')}
    other = subprocess.run(cmd + ['--epochs', '2'], cwd=ROOT, text=True,
                           capture_output=True, timeout=900)
    assert other.returncode != 0
    message = other.stderr.strip().splitlines()[-1]
    assert 'another budget, 1 epochs (this call: 1/2 epochs)' in message
    assert '--work-dir' in message and 'nothing was changed' in message
    assert {p: p.read_bytes() for p in tmp_path.glob('*.json')} == before
    assert not (tmp_path / 'tdmi-no-mi' / 'e2_seed0').exists()

    # --plot redraws the figures from the results alone
    (tmp_path / 'forest.png').unlink()
    plot = subprocess.run(cmd + ['--plot'], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)
    assert plot.returncode == 0 and (tmp_path / 'forest.png').is_file()


def png_info(path):
    """The axes labels and entries a figure of tools/analysis/figures.py
    wrote into its PNG (and the PNG is a non-empty image)."""
    from PIL import Image
    image = Image.open(path)
    assert image.size[0] > 200 and image.size[1] > 100
    return json.loads(image.text['Description'])


def test_a_broken_runs_json_is_named_and_kept(tmp_path):
    (tmp_path / 'runs.json').write_text('{"tdmi/e5/d0": {"0": {"all": 4')
    out = subprocess.run(
        [sys.executable, 'tools/analysis/ablation.py', '--quick',
         '--configs', 'tdmi', 'tdmi-no-mi', '--seeds', '2', '--work-dir',
         str(tmp_path)], cwd=ROOT, text=True, capture_output=True,
        timeout=300)
    assert out.returncode != 0
    message = out.stderr.strip().splitlines()[-1]
    assert 'runs.json is not valid JSON' in message
    assert 'it was kept' in message and 'Traceback' not in out.stderr
    assert (tmp_path / 'runs.json').read_text().endswith('"all": 4')


def test_plot_without_results_names_what_to_run(tmp_path):
    out = subprocess.run(
        [sys.executable, 'tools/analysis/ablation.py', '--plot',
         '--work-dir', str(tmp_path)], cwd=ROOT, text=True,
        capture_output=True, timeout=300)
    assert out.returncode != 0
    assert 'no results in' in out.stderr and 'run ablation.py' in out.stderr
    assert not list(tmp_path.glob('*.png'))


@pytest.mark.parametrize('args,expected', [
    (['--configs', 'tdmi', 'tdmi-no-dde'],
     "invalid choice: 'tdmi-no-dde'"),
    (['--seeds', '1'], '--seeds 1: K must be at least 2'),
    (['--epochs', '0'], '--epochs 0: give at least 1'),
])
def test_bad_arguments_stop_with_one_line(tmp_path, args, expected):
    """An unknown config name or K < 2: exit 2 with one line that names the
    problem, and nothing written."""
    out = subprocess.run(
        [sys.executable, 'tools/analysis/ablation.py', '--work-dir',
         str(tmp_path / 'wd')] + args, cwd=ROOT, text=True,
        capture_output=True, timeout=300)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], out.stderr
    assert not (tmp_path / 'wd').exists()


def test_results_of_another_data_set_are_not_overwritten(tmp_path):
    """A work dir whose results.json was made on other built-in videos
    (another data seed): one line naming it, and no file changed."""
    identity = dict(epochs=[5], data=dict(version='v', params=dict(
        seed=0, num_train_videos=40)))
    check_work_dir(str(tmp_path), identity)  # empty work dir: fine
    found = dict(identity, data=dict(version='v', params=dict(
        seed=1, num_train_videos=40)))
    (tmp_path / 'results.json').write_text(json.dumps(dict(identity=found)))
    check_work_dir(str(tmp_path), found)  # the same data: fine
    from tdmi_mmpose.experiments.errors import ExperimentError
    with pytest.raises(ExperimentError) as stop:
        check_work_dir(str(tmp_path), identity)
    assert 'another data set, built with another seed' in str(stop.value)
    assert json.loads((tmp_path / 'results.json').read_text()) == dict(
        identity=found)


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


def test_another_data_seed_gets_a_data_root_of_its_own(tmp_path,
                                                        monkeypatch):
    """Without --data-root, data seed 0 uses the main job's videos and any
    other seed a directory beside them, so it does not rebuild them; both
    in ``data`` where the tool runs, as its ``work_dirs``."""
    monkeypatch.chdir(tmp_path)
    paths = Paths.here()
    data = str(tmp_path / 'data')
    assert paths.data_root(0) == osp.join(data, 'synthetic_videos')
    assert paths.data_root(3) == osp.join(data, 'synthetic_videos_seed3')
    assert paths.work_dir('ablation') == str(tmp_path / 'work_dirs' /
                                             'ablation')


def test_frontier_tool_pairs_pipelines_and_draws_them(tmp_path):
    """tools/analysis/frontier.py on small built-in videos with models of
    an ablation layout (random weights, 2 seeds): the paired differences to
    mmpose's single-frame pipeline with flip test, the backbone crops per
    person (2 with flip test, 1 with aligned reuse without it) and the
    figure of mAP against frames per second."""
    from mmpose.apis import init_model
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    data = tmp_path / 'data'
    generate_synthetic_videos(str(data), logger=lambda m: None, seed=0,
                              num_train_videos=1, num_val_videos=2,
                              num_frames=8)
    for name in ('single-frame', 'tdmi'):
        for seed in (0, 1):
            torch.manual_seed(seed)
            model = init_model(config_path(name), None, 'cpu')
            path = tmp_path / 'abl' / name / f'e5_seed{seed}'
            path.mkdir(parents=True)
            torch.save(dict(state_dict=model.state_dict()),
                       path / 'epoch_5.pth')
    out = subprocess.run(
        [sys.executable, 'tools/analysis/frontier.py', '--seeds', '2',
         '--boxes', 'gt', '--pipelines', 'single-flip', 'aligned',
         '--no-speed', '--ablation-dir', str(tmp_path / 'abl'),
         '--data-root', f'{data}/'], cwd=ROOT, text=True,
        capture_output=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads((tmp_path / 'abl' / 'frontier.json').read_text())
    stats = result['stats']['gt']
    assert stats['aligned']['all']['minus_reference']['n'] == 2
    assert stats['single-flip']['crops_per_person'] == 2
    assert stats['aligned']['crops_per_person'] == 1
    info = png_info(tmp_path / 'abl' / 'frontier.png')
    assert info['entries'] == ['mmpose single-frame, flip test',
                               'TDMI aligned reuse']
    assert info['xlabel'] == ['frames per second']


def test_experiment_params_are_built_once_and_read_only():
    """A tool's arguments become one parameters object: the shared inputs
    as fields, the tool's own options read as attributes, nothing
    changeable afterwards, and a clear error for an option the tool does
    not set."""
    import argparse
    import dataclasses

    from tdmi_mmpose.experiments.params import ExperimentParams
    params = ExperimentParams.from_args(argparse.Namespace(
        seeds=3, epochs=5, work_dir='w', data_root='d/', data_seed=0,
        ablation_dir='a', record=None, models=['tdmi'], tolerance=0.1))
    assert (params.seeds, params.epochs, params.ablation_dir) == (3, 5, 'a')
    assert params.models == ['tdmi'] and params.tolerance == 0.1
    assert set(params.options) == {'models', 'tolerance'}
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.seeds = 4
    with pytest.raises(TypeError):
        params.options['tolerance'] = 0.2
    with pytest.raises(AttributeError, match="'boxes', which its tool"):
        params.boxes
