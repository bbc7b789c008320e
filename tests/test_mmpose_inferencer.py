"""mmpose's MMPoseInferencer as a drop-in (tdmi_mmpose.apis.MMPoseInferencer):
video pose models behind mmpose's call signature and outputs, single-frame
models exactly as in mmpose; the fast video setting without flip test."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import DATA, ROOT, SAMPLE, TINY_CFG
from mmpose.apis import MMPoseInferencer as MMPoseOwn
from mmpose.apis import init_model

from tdmi_mmpose.apis import MMPoseInferencer, VideoPoseInferencer

VIDEO = osp.join(DATA, 'demo.mp4')
SINGLE_CFG = osp.join(ROOT, 'configs', 'tdmi', 'synthetic',
                      'hrnet-w8_synthetic-videos-128x96_single-frame.py')
W48_CFG = osp.join(ROOT, 'configs', 'tdmi',
                   'tdmi_hrnet-w48_posetrack17-384x288.py')
BOXES = [np.array([[330 + 5 * i, 40, 640 + 5 * i, 500, 0.9]], np.float32)
         for i in range(5)]
IMAGE = f'{SAMPLE}/videos/000001_mpiinew_test/000002.jpg'


def save_random(config, path, seed=0):
    torch.manual_seed(seed)
    model = init_model(config, None, device='cpu')
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def keypoints(results):
    return [np.asarray([p['keypoints'] for p in r['predictions'][0]])
            for r in results]


@pytest.fixture(scope='module')
def tiny_ckpt(tmp_path_factory):
    return save_random(TINY_CFG, tmp_path_factory.mktemp('mi') / 't.pth')


def test_a_tdmi_config_runs_as_the_video_inferencer(tiny_ckpt, tmp_path):
    """``MMPoseInferencer(pose2d=<TDMI config>)`` on the demo video: one
    result per frame, the same keypoints as ``VideoPoseInferencer``, and
    mmpose's outputs (annotated video, predictions JSON, return_vis)."""
    drop_in = MMPoseInferencer(pose2d=TINY_CFG, pose2d_weights=tiny_ckpt,
                               device='cpu', det_model='whole_image')
    assert isinstance(drop_in.inferencer, VideoPoseInferencer)
    got = list(drop_in(VIDEO, bboxes=BOXES, return_vis=True,
                       vis_out_dir=str(tmp_path / 'vis'),
                       pred_out_dir=str(tmp_path / 'pred')))
    want = list(VideoPoseInferencer(TINY_CFG, tiny_ckpt, device='cpu',
                                    det_model='whole_image')(
        VIDEO, bboxes=BOXES))
    assert len(got) == 5
    for a, b in zip(keypoints(got), keypoints(want)):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert got[0]['visualization'][0].shape == (540, 960, 3)
    assert 'track_id' in got[0]['predictions'][0][0]
    assert osp.isfile(tmp_path / 'vis' / 'demo.mp4')
    preds = json.load(open(tmp_path / 'pred' / 'demo.json'))
    assert [p['frame_id'] for p in preds] == list(range(5))


def test_the_tdmi_alias_with_weights_and_without_flip_test(tmp_path):
    """``MMPoseInferencer('tdmi', pose2d_weights=CKPT)``: the W48 PoseTrack17
    model of the metafile, the same keypoints as ``VideoPoseInferencer``;
    ``flip_test=False`` runs the backbone once per person and frame instead
    of twice, and leaves the config's evaluation protocol as it is."""
    from mmengine.config import Config
    cfg = Config.fromfile(W48_CFG)
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    from mmpose.registry import MODELS
    ckpt = tmp_path / 'w48.pth'
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ckpt)
    frames = [IMAGE] * 3
    boxes = [np.array([[380, 60, 720, 640, 0.9]], np.float32)] * 3
    runs = {}
    for name, kwargs in (('drop-in', dict(flip_test=False)),
                         ('video', dict(flip_test=False)),
                         ('flip', {})):
        if name == 'drop-in':
            inf = MMPoseInferencer('tdmi', pose2d_weights=str(ckpt),
                                   device='cpu', tracker=None, **kwargs,
                                   det_model='whole_image')
            model = inf.inferencer.model
        else:
            inf = VideoPoseInferencer('tdmi', str(ckpt), device='cpu',
                                      tracker=None, **kwargs,
                                      det_model='whole_image')
            model = inf.model
        passes = []
        hook = model.backbone.register_forward_hook(
            lambda m, a, o: passes.append(a[0].shape[0]))
        runs[name] = (keypoints(inf(frames, bboxes=boxes)), sum(passes),
                      model.test_cfg['flip_test'])
        hook.remove()
    for a, b in zip(runs['drop-in'][0], runs['video'][0]):
        np.testing.assert_allclose(a, b, atol=1e-3)
    assert runs['drop-in'][1:] == (3, False)  # one crop per frame
    assert runs['flip'][1:] == (6, True)
    assert Config.fromfile(W48_CFG).model.test_cfg.flip_test


def test_single_frame_models_behave_as_in_mmpose(tmp_path):
    ckpt = save_random(SINGLE_CFG, tmp_path / 'sf.pth')
    kwargs = dict(pose2d=SINGLE_CFG, pose2d_weights=ckpt, device='cpu',
                  det_model='whole_image')  # no detector download
    ours = MMPoseInferencer(**kwargs)
    assert type(ours.inferencer).__name__ == 'Pose2DInferencer'
    ours = next(ours(IMAGE))
    theirs = next(MMPoseOwn(**kwargs)(IMAGE))
    assert ours['predictions'] == theirs['predictions']
    assert len(ours['predictions'][0]) == 1


def test_wrong_checkpoints_and_names_say_which_argument(tiny_ckpt,
                                                        tmp_path):
    sf = save_random(SINGLE_CFG, tmp_path / 'sf.pth')
    with pytest.raises(ValueError, match='pose2d_weights.*video .TDMI. '
                       'checkpoint.*single-frame model'):
        MMPoseInferencer(pose2d=SINGLE_CFG, pose2d_weights=tiny_ckpt,
                         device='cpu')
    video_cfg = osp.join(ROOT, 'configs', 'tdmi', 'synthetic',
                         'tdmi_hrnet-w8_synthetic-videos-128x96.py')
    with pytest.raises(ValueError, match='single-frame checkpoint.*'
                       'warm_start=True'):
        MMPoseInferencer(pose2d=video_cfg, pose2d_weights=sf, device='cpu',
                         det_model='whole_image')
    # through the warm start it is accepted
    MMPoseInferencer(pose2d=video_cfg, pose2d_weights=sf, device='cpu',
                     warm_start=True, det_model='whole_image')
    with pytest.raises(ValueError, match="pose2d='no-such-model'.*mim "
                       'search'):
        MMPoseInferencer(pose2d='no-such-model', device='cpu')


@pytest.mark.parametrize('backend', ['pytorch', 'onnxruntime'])
def test_flip_test_off_works_with_both_backends(backend, tiny_ckpt,
                                                tmp_path):
    kwargs = {}
    if backend == 'onnxruntime':
        onnx = tmp_path / 'tiny.onnx'
        proc = subprocess.run(
            [sys.executable, 'tools/deployment/pytorch2onnx.py', TINY_CFG,
             tiny_ckpt, '--out', str(onnx), '--no-verify'], cwd=ROOT,
            capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        kwargs = dict(backend='onnxruntime', onnx_file=str(onnx),
                      reuse_features=False)
    results = {}
    for flip in (True, False):
        inf = VideoPoseInferencer(TINY_CFG, tiny_ckpt, device='cpu',
                                  tracker=None, flip_test=flip, **kwargs,
                                  det_model='whole_image')
        results[flip] = keypoints(inf(VIDEO, bboxes=BOXES))
    assert len(results[False]) == 5
    assert not all(np.allclose(a, b) for a, b in zip(results[True],
                                                     results[False]))


def test_inferencer_demo_tool_runs_a_video_model(tiny_ckpt, tmp_path):
    proc = subprocess.run(
        [sys.executable, 'demo/inferencer_demo.py', VIDEO, '--pose2d',
         TINY_CFG, '--pose2d-weights', tiny_ckpt, '--no-flip',
         '--det-model', 'whole_image', '--posetrack-out',
         str(tmp_path / 'demo_pt.json'), '--vis-out-dir', str(tmp_path / 'vis'), '--pred-out-dir',
         str(tmp_path / 'pred')], cwd=ROOT, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '5 result(s)' in proc.stdout
    assert osp.isfile(tmp_path / 'vis' / 'demo.mp4')
    assert len(json.load(open(tmp_path / 'pred' / 'demo.json'))) == 5
    assert len(json.load(open(tmp_path / 'demo_pt.json'))['images']) == 5
    bad = subprocess.run(
        [sys.executable, 'demo/inferencer_demo.py', VIDEO, '--pose2d',
         SINGLE_CFG, '--no-flip'], cwd=ROOT, capture_output=True, text=True,
        timeout=600)
    assert bad.returncode != 0 and 'single-frame model' in bad.stderr


def test_a_misspelt_model_name_is_named_before_the_weights(tmp_path):
    """``--pose2d tdmii`` with a TDMI checkpoint: the name is what is wrong
    (the closest names given), not the checkpoint."""
    import torch
    from mmpose.apis import init_model
    from tdmi_mmpose.apis import MMPoseInferencer
    model = init_model(TINY_CFG, None, device='cpu')
    ckpt = tmp_path / 'tdmi.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    with pytest.raises(ValueError, match="pose2d='tdmii' is neither .* "
                       'closest names: tdmi, tdmi-st'):
        MMPoseInferencer(pose2d='tdmii', pose2d_weights=str(ckpt),
                         det_model='whole_image', device='cpu')
