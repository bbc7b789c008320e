"""Command-line tools, run as a user runs them (subprocesses)."""
import glob
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, TINY_CFG

PY = sys.executable


def run(*cmd, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    return out


def num_test_people():
    """Samples of the tiny config's test set (one per person and frame)."""
    from mmengine.config import Config
    from mmpose.registry import DATASETS
    cfg = Config.fromfile(TINY_CFG)
    return len(DATASETS.build(cfg.test_dataloader.dataset))


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
    """mmpose's meanings: --out saves the metrics, --dump the raw
    predictions."""
    work, _ = trained
    out = run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth',
              '--work-dir', tmp_path, '--out', tmp_path / 'metrics.json',
              '--dump', tmp_path / 'preds.pkl')
    assert re.search(r'Head \| Shoulder \| +Elbow \| +Wrist \| +Hip \| '
                     r'+Knee \| +Ankle \| +Mean', out)
    assert 'posetrack/Mean' in out
    with open(tmp_path / 'metrics.json') as f:
        metrics = json.load(f)
    assert 0 <= metrics['posetrack/Mean'] <= 100
    import pickle
    with open(tmp_path / 'preds.pkl', 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == num_test_people()
    assert all('keypoints' in p['pred_instances'] for p in preds)


def test_test_tool_draws_key_frames_with_the_clip_as_a_strip(
        trained, tmp_path):
    """--show-dir draws each prediction on its key frame; with
    show_neighbours (given last, in --cfg-options) the image also holds the
    clip's frames side by side."""
    import cv2
    work, _ = trained
    run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
        tmp_path / 'key', '--show-dir', 'vis')
    run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
        tmp_path / 'strip', '--show-dir', 'vis', '--cfg-options',
        'default_hooks.visualization.show_neighbours=True')
    for kind in ('key', 'strip'):
        drawn = sorted(glob.glob(str(tmp_path / kind / '*' / 'vis' /
                                     '*.jpg')))
        # one image per person of the sample's labelled key frames
        assert len(drawn) == num_test_people(), drawn
        shapes = [cv2.imread(p).shape for p in drawn]
        if kind == 'key':
            key_shapes = shapes
    assert len({p.split('/vis/')[1] for p in drawn}) == len(drawn)
    for (h, w, _), (kh, kw, _) in zip(shapes, key_shapes):
        assert h == kh and w == 5 * kw  # delta = 2: five frames


def test_train_flags_follow_mmpose_with_cfg_options_last(tmp_path):
    """--no-validate drops validation; --cfg-options wins over the flags
    (here --interval)."""
    out = run(PY, 'tools/train.py', TINY_CFG, '--work-dir', tmp_path,
              '--no-validate', '--show-dir', 'vis', '--interval', '2',
              '--cfg-options', 'train_cfg.max_epochs=1',
              'default_hooks.visualization.interval=3')
    from mmengine.config import Config
    cfg = Config.fromfile(tmp_path / osp.basename(TINY_CFG))
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    vis = cfg.default_hooks.visualization
    assert vis.enable and vis.out_dir == 'vis' and vis.interval == 3
    assert 'posetrack/Mean' not in out  # no validation ran
    assert osp.exists(tmp_path / 'epoch_1.pth')


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    work, _ = trained
    shutil.copytree(work, tmp_path / 'w', dirs_exist_ok=True)
    # a config's load_from (pretrained weights) must not be taken for the
    # checkpoint to resume
    cfg = tmp_path / 'with_load_from.py'
    cfg.write_text(f'_base_ = [{TINY_CFG!r}]\n'
                   f"load_from = '{tmp_path}/pretrained_not_here.pth'\n")
    out = run(PY, 'tools/train.py', cfg, '--work-dir', tmp_path / 'w',
              '--resume', '--cfg-options', 'train_cfg.max_epochs=2')
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


def test_cost_tool_prints_the_ratio_and_records_it_from_any_folder(
        tmp_path):
    """The cost tool run from another folder (configs found through the
    package) prints the ratios and writes its table through the one
    record path."""
    proc = subprocess.run(
        [PY, osp.join(ROOT, 'tools', 'analysis', 'get_cost.py'), '--config',
         osp.join(ROOT, TINY_CFG), '--repeats', '1', '--record',
         'cost.json'], cwd=tmp_path, text=True, capture_output=True,
        timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert re.search(r'TDE \+ RDM \+ head on top of the 5 backbone passes: '
                     r'[\d.]+% GFLOPs, [\d.]+% latency', out)
    assert re.search(r'TDMI / single-frame: [\d.]+x GFLOPs', out)
    record = json.loads((tmp_path / 'cost.json').read_text())
    assert record['tool'] == 'table' and record['source'] == 'measured'
    assert record['command'].startswith('tools/analysis/get_cost.py')
    assert [row[0] for row in record['results']['rows']][-1].startswith(
        'TDMI')
    assert '% GFLOPs' in record['results']['note']


def test_loader_benchmark_prints_both_rates():
    out = run(PY, 'tools/analysis/benchmark_loader.py', '--workers', '0',
              '--samples', '5')
    assert 'workers: 0' in out
    assert re.search(r'5-frame TDMI pipeline +: +[\d.]+ samples/s', out)
    assert re.search(r'single-frame mmpose +: +[\d.]+ samples/s', out)


def test_main_job_quick_trains_evaluates_and_renders(tmp_path):
    """The main job on a small built-in set: the single-frame model, TDMI
    and the detector trained, and the warm start it offers (``tdmi-warm``: TDMI
    warm-started from this job's single-frame checkpoint), the table
    printed and written, checkpoints that tools/test.py evaluates, the
    side-by-side video and the clip of detector + tracker + TDMI (aligned
    feature reuse, the inferencer's default) beside mmpose's single-frame
    pipeline (a checkpoint's reuse is the ablation tool's test: both run
    ``train_or_reuse``)."""
    work = tmp_path / 'job'
    out = run(PY, 'tools/main_job.py', '--quick', '--work-dir', work,
              '--models', 'single-frame', 'tdmi', 'tdmi-warm',
              '--record', tmp_path / 'main_job.json')
    assert 'TDMI warm-started, +2 epochs' in out
    from mmengine.config import Config
    cfg = Config.fromfile(str(next((work / 'tdmi-warm').glob('*.py'))))
    assert cfg.model.init_cfg.type == 'WarmStart'
    assert cfg.model.init_cfg.checkpoint == str(work / 'single-frame' /
                                                'epoch_2.pth')
    table = re.search(r'model \| +frames \| +Head \|.*\| +Mean\n(.*)', out,
                      re.S).group(1)
    for label in ('mmpose single-frame HRNet', 'TDMI (TDE + RDM + L_MI)',
                  'TDMI warm-started, +2 epochs', 'TDMI, detected boxes',
                  'mmpose single-frame HRNet, detected boxes'):
        for subset in ('all', 'degraded', 'clean'):
            assert re.search(rf'{re.escape(label)} \| +{subset} \|'
                             r'( +[\d.]+ \|){7} +[\d.]+', table), (label,
                                                                  subset)
    assert re.search(r'RTMDet-tiny person detector: bbox AP [\d.]+', out)
    with open(work / 'results.json') as f:
        results = json.load(f)['results']
    assert set(results) == {'single-frame', 'tdmi',
                            'tdmi-warm', 'tdmi-detected',
                            'single-frame-detected'}
    # --record: the same results with where they came from, as the docs'
    # tables read them
    record = json.loads((tmp_path / 'main_job.json').read_text())
    assert record['tool'] == 'main_job' and record['source'] == 'measured'
    assert record['results']['results'] == results
    assert record['command'].startswith('tools/main_job.py --quick')
    assert {'date', 'machine', 'load'} <= set(record)
    assert 'video inferencer: feature reuse on (aligned' in out
    assert re.search(r"single-frame pipeline with the same detector: "
                     r"[\d.]+ frames/s", out)
    assert (work / 'results.md').read_text().count(
        '| TDMI (TDE + RDM + L_MI) |') == 3
    from PIL import Image
    figure = Image.open(work / 'results.png')
    assert figure.size[0] > 200
    assert json.loads(figure.text['Description'])['entries'] == [
        'mmpose single-frame HRNet', 'TDMI (TDE + RDM + L_MI)',
        'TDMI warm-started, +2 epochs']
    assert osp.getsize(work / 'side_by_side.mp4') > 10000
    (clip, ) = (work / 'tracked').glob('val_*.mp4')
    assert osp.getsize(clip) > 10000
    # its most crowded frame as the docs' picture
    said = run(PY, 'tools/analysis/annotated_frame.py', clip, '--out',
               tmp_path / 'frame.jpg', '--width', 320)
    people = [len(p['instances']) for p in json.loads(
        clip.with_suffix('.json').read_text())]
    frame = int(re.search(r'frame (\d+) of', said).group(1))
    assert people[frame] == max(people)  # the most crowded, near the middle
    assert abs(frame - len(people) // 2) <= min(
        abs(i - len(people) // 2) for i, n in enumerate(people)
        if n == max(people))
    # its TDMI and detector on a validation video (a folder of frames) as
    # PoseTrack18 predictions, evaluated by the poseval replacement
    (gt, ) = sorted((work / 'data' / 'annotations' / 'val').glob('*.json'))[
        :1]
    (tmp_path / 'gt').mkdir()
    shutil.copy(gt, tmp_path / 'gt' / gt.name)
    det = sorted((work / 'detector').glob('*.py'))[0]
    det_ckpt = max((work / 'detector').glob('epoch_*.pth'),
                   key=lambda p: int(p.stem.split('_')[1]))
    run(PY, 'demo/video_demo.py', work / 'data' / 'images' / 'val' /
        gt.stem, work / 'tdmi' / 'tdmi_hrnet-w8_synthetic-videos-128x96.py',
        work / 'tdmi' / 'epoch_2.pth', '--det-model', det, '--det-weights',
        det_ckpt, '--track-thr', 0.4, '--no-flip', '--out-dir',
        tmp_path / 'pt_out', '--posetrack-out', tmp_path / 'pred' / gt.name,
        '--posetrack-gt', gt)
    said = run(PY, 'tools/analysis/posetrack_eval.py', tmp_path / 'gt',
               tmp_path / 'pred', '--out', tmp_path / 'pt.json')
    table = json.loads((tmp_path / 'pt.json').read_text())
    assert set(table) >= {'AP', 'MOTA', 'HOTA', 'AssA'}
    assert '1 videos' in said and 'identity switches' in said
    assert Image.open(tmp_path / 'frame.jpg').size[0] == 320
    for name in ('single-frame', 'tdmi', 'tdmi-warm'):
        assert osp.exists(work / name / 'epoch_2.pth')
    # the trained TDMI checkpoint through tools/test.py
    cfg = work / 'tdmi' / 'tdmi_hrnet-w8_synthetic-videos-128x96.py'
    test_out = run(PY, 'tools/test.py', cfg, work / 'tdmi' / 'epoch_2.pth',
                   '--work-dir', tmp_path / 'test')
    assert 'degraded/Mean' in test_out and 'clean/Mean' in test_out


@pytest.mark.parametrize('old,new,option', [
    ('tools/demo.py', 'tools/main_job.py', '--models'),
    ('tools/video_demo.py', 'demo/video_demo.py', '--save-bboxes'),
    ('tools/inferencer_demo.py', 'demo/inferencer_demo.py', '--pose2d')])
def test_old_paths_answer_with_their_new_place(old, new, option):
    """The main job's old name and the demos' old places (one release) run
    the script at its new place with a note naming it."""
    out = run(PY, old, '--help')
    assert f'{old} is now {new}' in out
    assert option in out


def test_mmpose_visualization_hook_draws_key_frames(trained, tmp_path):
    work, _ = trained
    run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
        tmp_path, '--cfg-options', 'default_hooks.visualization.enable=True',
        'default_hooks.visualization.out_dir=vis')
    drawn = [f for _, _, files in os.walk(tmp_path) for f in files
             if f.endswith('.jpg')]
    assert len(drawn) >= 3, drawn  # the 3 labelled key frames


def test_browse_dataset_saves_the_transformed_clip_side_by_side(tmp_path):
    """Each sample's five augmented frames, side by side, at the model's
    input size (128x96 for the tiny config)."""
    import cv2
    run(PY, 'tools/misc/browse_dataset.py', TINY_CFG, '--output-dir',
        tmp_path / 't', '--max-item-per-dataset', '2')
    run(PY, 'tools/misc/browse_dataset.py', TINY_CFG, '--output-dir',
        tmp_path / 'o', '--mode', 'original', '--max-item-per-dataset', '1')
    transformed = sorted((tmp_path / 't').glob('*.jpg'))
    assert len(transformed) == 2
    for path in transformed:
        assert cv2.imread(str(path)).shape == (128, 5 * 96, 3)
    (original, ) = (tmp_path / 'o').glob('*.jpg')
    h, w = cv2.imread(str(original)).shape[:2]
    assert h > 128 and w > 5 * h  # full frames (landscape), five of them


def test_plot_curves_reads_the_work_dir(trained, tmp_path):
    work, _ = trained
    out = run(PY, 'tools/analysis/plot_curves.py', work, '--out',
              tmp_path / 'c.png')
    assert 'loss_kpt' in out and 'loss_mi_un' in out
    assert osp.getsize(tmp_path / 'c.png') > 5000
    bad = subprocess.run([PY, 'tools/analysis/plot_curves.py',
                          str(tmp_path)], cwd=ROOT, text=True,
                         capture_output=True)
    assert bad.returncode != 0 and 'no vis_data/scalars.json' in bad.stderr


def test_slurm_scripts_pass_their_arguments_to_the_tools(tmp_path):
    """With ``srun`` replaced by a printer (no slurm here), the scripts hand
    config, work dir/checkpoint, the slurm launcher and extra options to
    tools/train.py and tools/test.py."""
    srun = tmp_path / 'srun'
    srun.write_text('#!/bin/sh\necho "$@"\n')
    srun.chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}',
               GPUS='4', GPUS_PER_NODE='2')
    out = subprocess.run(
        ['bash', 'tools/slurm_train.sh', 'part', 'job', 'CFG.py', 'WD',
         '--amp'], cwd=ROOT, env=env, text=True, capture_output=True).stdout
    assert '-p part --job-name=job --gres=gpu:2 --ntasks=4' in out
    assert 'train.py CFG.py --work-dir=WD --launcher=slurm --amp' in out
    out = subprocess.run(
        ['bash', 'tools/slurm_test.sh', 'part', 'job', 'CFG.py', 'C.pth',
         '--out', 'm.json'], cwd=ROOT, env=env, text=True,
        capture_output=True).stdout
    assert 'test.py CFG.py C.pth --launcher=slurm --out m.json' in out


def test_test_tool_badcase_writes_mmpose_bad_cases(trained, tmp_path):
    work, _ = trained
    run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
        tmp_path, '--badcase')
    cases = glob.glob(str(tmp_path / '*' / 'badcase' / '*.jpg'))
    assert cases and all('HeatmapL2Loss' in osp.basename(c) for c in cases)


def test_test_tool_runs_under_bf16_autocast(trained, tmp_path):
    """``tools/test.py --amp bf16`` (CPU autocast here): the metrics come
    out, and the keypoint scores differ from the fp32 run (autocast really
    ran) by bf16 rounding."""
    import pickle
    work, _ = trained
    scores = {}
    for amp in ([], ['--amp', 'bf16']):
        name = amp[-1] if amp else 'fp32'
        run(PY, 'tools/test.py', TINY_CFG, work / 'epoch_1.pth', '--work-dir',
            tmp_path / name, '--out', tmp_path / f'{name}.json', '--dump',
            tmp_path / f'{name}.pkl', *amp)
        with open(tmp_path / f'{name}.json') as f:
            assert 0 <= json.load(f)['posetrack/Mean'] <= 100
        with open(tmp_path / f'{name}.pkl', 'rb') as f:
            scores[name] = np.concatenate([
                p['pred_instances']['keypoint_scores']
                for p in pickle.load(f)])
    # the heatmap maxima move (autocast ran) by bf16 rounding only (the
    # locations of a 1-epoch model's flat maxima are no test of precision)
    diff = np.abs(scores['bf16'] - scores['fp32'])
    assert diff.max() > 0
    assert diff.max() < 0.02 * np.abs(scores['fp32']).max(), diff.max()


def test_amp_on_a_cpu_machine_says_what_to_do(tmp_path):
    import torch
    if torch.cuda.is_available():
        pytest.skip('a CUDA device is present')
    proc = subprocess.run([PY, 'tools/train.py', TINY_CFG, '--work-dir',
                           str(tmp_path), '--amp'], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode != 0 and 'without --amp' in proc.stderr
