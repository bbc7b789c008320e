"""Warm start: TDMI built from a single-frame top-down checkpoint starts
exactly where the single-frame model is, and learns from the neighbours
from the first step on."""
import copy
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import ROOT, SAMPLE
from mmengine.config import Config
from mmpose.apis import inference_topdown, init_model
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmengine.structures import InstanceData, PixelData

import mmpose
from tdmi_mmpose.apis import VideoPoseInferencer, inference_video_topdown
from tdmi_mmpose.models import WarmStartError, warm_start

SYN = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
TDMI_CFG = osp.join(SYN, 'tdmi_hrnet-w8_synthetic-videos-128x96.py')
SINGLE_CFG = osp.join(SYN, 'hrnet-w8_synthetic-videos-128x96_single-frame.py')
WARM_CFG = osp.join(SYN, 'tdmi_hrnet-w8_synthetic-videos-128x96_warm-start.py')
W48_CFG = osp.join(ROOT, 'configs', 'tdmi',
                   'tdmi_hrnet-w48_posetrack18-384x288.py')
MMPOSE_W48 = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
    'topdown_heatmap', 'posetrack18',
    'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288.py')
FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]
BOX = np.array([[380, 60, 720, 640]], dtype=np.float32)


def randomise(model, seed):
    """Random weights and BatchNorm statistics everywhere, as a trained
    model has (the initialisation leaves BN statistics at 0 / 1)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            noise = torch.randn(tensor.shape, generator=gen)
            if name.endswith('running_var'):
                tensor.copy_(0.5 + noise.abs())
            elif name.endswith(('running_mean', 'bias')):
                tensor.copy_(0.1 * noise)
            elif name.endswith('weight') and tensor.dim() == 1:  # BN scale
                tensor.copy_(0.5 + 0.1 * noise)  # activations stay O(1)
            else:
                tensor.copy_(noise * (1.0 / tensor[0].numel())**0.5)
    return model.eval()


def build(cfg, init_cfg=None):
    """A model of a config as the Runner builds it (``init_weights``), with
    the estimator's ``init_cfg`` replaced when given."""
    cfg = Config.fromfile(cfg) if isinstance(cfg, str) else copy.deepcopy(cfg)
    if init_cfg is not None:
        cfg.model.init_cfg = init_cfg
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def single_frame(tmp_path_factory):
    """A single-frame W8 model (random weights and statistics) and its
    checkpoint file."""
    torch.manual_seed(0)
    model = randomise(build(SINGLE_CFG), 1)
    path = tmp_path_factory.mktemp('warm') / 'single_frame.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return model, str(path)


def heatmaps(model, inputs):
    with torch.no_grad():
        return model.head(model.extract_feat(inputs))


def clip(seed, size=(128, 96), frames=5):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((2, frames, 3) + size, generator=gen)


@pytest.mark.parametrize('visual', ['key', 'sequence'])
def test_warm_started_tdmi_equals_the_single_frame_model(single_frame,
                                                         visual):
    """TDMI and TDMI-ST, warm-started through init_cfg, give the single-frame
    heatmaps of the key frame whatever the neighbours are."""
    sf, path = single_frame
    cfg = Config.fromfile(TDMI_CFG)
    cfg.model.head.visual = visual
    torch.manual_seed(1)
    tdmi = build(cfg, dict(type='WarmStart', checkpoint=path)).eval()
    x = clip(0)
    want = heatmaps(sf, x[:, 2])
    assert (heatmaps(tdmi, x) - want).abs().max() <= 1e-5
    x[:, [0, 1, 3, 4]] = clip(1)[:, [0, 1, 3, 4]]  # other neighbours
    assert (heatmaps(tdmi, x) - want).abs().max() <= 1e-5
    # TDE and RDM keep their random initialisation
    torch.manual_seed(1)
    fresh = build(cfg)
    for module in ('neck', 'head.rdm'):
        mine = tdmi.get_submodule(module).state_dict()
        theirs = fresh.get_submodule(module).state_dict()
        assert all(torch.equal(mine[k], theirs[k]) for k in mine)


def training_batch(model, seed):
    gen = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(4):
        s = PoseDataSample()
        s.gt_fields = PixelData(heatmaps=torch.rand(17, 32, 24,
                                                    generator=gen))
        s.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, 17))
        samples.append(s)
    return torch.randn(4, 5, 3, 128, 96, generator=gen), samples


def test_after_one_step_the_neighbours_change_the_output(single_frame):
    sf, path = single_frame
    torch.manual_seed(2)
    tdmi = build(WARM_CFG, dict(type='WarmStart', checkpoint=path))
    tdmi.train()
    optim = torch.optim.Adam(tdmi.parameters(), lr=1e-3)
    inputs, samples = training_batch(tdmi, 0)
    losses = tdmi.loss(inputs, samples)
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()

    def grads(module):
        return sum(p.grad.abs().sum().item() for p in module.parameters()
                   if p.grad is not None)

    assert grads(tdmi.neck) > 0 and grads(tdmi.head.rdm) > 0
    assert tdmi.head.fusion[0].norm2.weight.grad.abs().sum() > 0
    x = clip(3)
    y = x.clone()
    y[:, [0, 1, 3, 4]] = clip(4)[:, [0, 1, 3, 4]]  # other neighbours

    def neighbour_effect():
        tdmi.eval()
        return (heatmaps(tdmi, x) - heatmaps(tdmi, y)).abs().max().item()

    before = neighbour_effect()
    optim.step()
    after = neighbour_effect()
    assert before <= 1e-7 and after > 1e-6 + 100 * before, (before, after)


def test_warm_start_through_the_inference_apis(single_frame):
    """On five real frames: TDMI warm-started by VideoPoseInferencer and by
    init_model + warm_start estimates as mmpose's single-frame API does."""
    sf, path = single_frame
    sf_model = init_model(SINGLE_CFG, path, device='cpu')
    want = inference_topdown(sf_model, FRAMES[2], BOX)[0].pred_instances
    tdmi = warm_start(init_model(TDMI_CFG, None, device='cpu'), path)
    got = inference_video_topdown(tdmi, FRAMES, BOX)[0].pred_instances
    np.testing.assert_allclose(got.keypoints, want.keypoints, atol=1e-3)
    np.testing.assert_allclose(got.keypoint_scores, want.keypoint_scores,
                               rtol=1e-5)
    inferencer = VideoPoseInferencer(TDMI_CFG, path, device='cpu',
                                     tracker=None, warm_start=True,
                                     det_model='whole_image')
    result = list(inferencer(FRAMES, bboxes=[BOX] * 5))[2]
    person = result['predictions'][0][0]
    np.testing.assert_allclose(person['keypoints'], want.keypoints[0],
                               atol=1e-3)
    np.testing.assert_allclose(person['keypoint_scores'],
                               want.keypoint_scores[0], rtol=1e-5)


def test_mmpose_posetrack18_w48_maps_completely():
    """mmpose's own td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 model
    (random weights): every backbone and head weight lands, none is left
    over, and the warm-started TDMI-W48 equals it on the key frame."""
    from tdmi_mmpose.models.utils import single_frame_state_dict
    cfg = Config.fromfile(MMPOSE_W48)
    cfg.model.backbone.init_cfg = None  # built, not downloaded
    sf = randomise(MODELS.build(cfg.model), 3)
    tdmi_cfg = Config.fromfile(W48_CFG)
    tdmi_cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    tdmi = MODELS.build(tdmi_cfg.model)
    source = single_frame_state_dict(dict(state_dict=sf.state_dict()))
    state = tdmi.warm_start_state_dict(source)
    for key, value in source.items():  # every weight lands unchanged
        if key.startswith('backbone.'):
            assert torch.equal(state[key], value), key
    assert torch.equal(state['head.final_layer.weight'][:, :, 1, 1],
                       source['head.final_layer.weight'][:, :, 0, 0])
    tdmi.load_state_dict(state)
    tdmi.eval()
    x = clip(5, size=(128, 96))[:1]
    want = heatmaps(sf, x[:, 2])
    assert 0.1 < want.abs().max() < 100  # a meaningful scale for 1e-5
    assert (heatmaps(tdmi, x) - want).abs().max() <= 1e-5


def single_frame_state(**overrides):
    cfg = Config.fromfile(SINGLE_CFG)
    for key, value in overrides.items():
        target = cfg.model
        *path, last = key.split('.')
        for p in path:
            target = target[p]
        target[last] = value
    return MODELS.build(cfg.model).state_dict()


@pytest.mark.parametrize('make, words', [
    (lambda: single_frame_state(**{
        'backbone.extra.stage2.num_channels': (16, 32),
        'backbone.extra.stage3.num_channels': (16, 32, 64),
        'backbone.extra.stage4.num_channels': (16, 32, 64, 128),
        'head.in_channels': 16}),
     ['another backbone', '(16,', '(8,']),
    (lambda: MODELS.build(dict(
        type='TopdownPoseEstimator', backbone=dict(type='ResNet', depth=18),
        head=dict(type='HeatmapHead', in_channels=512, out_channels=17)))
     .state_dict(), ['backbone', 'shape']),
    (lambda: single_frame_state(**{'head.out_channels': 15}),
     ['keypoints', '(15, 8, 1, 1)', '(17, 8, 3, 3)']),
    (lambda: MODELS.build(Config.fromfile(TDMI_CFG).model).state_dict(),
     ['video (TDMI) checkpoint', 'neck.']),
])
def test_mismatched_checkpoints_are_refused_whole(make, words, tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict=make()), path)
    torch.manual_seed(0)
    tdmi = build(TDMI_CFG)
    before = {k: v.clone() for k, v in tdmi.state_dict().items()}
    with pytest.raises(WarmStartError) as err:
        warm_start(tdmi, str(path))
    for word in words:
        assert word in str(err.value), str(err.value)
    after = tdmi.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_a_file_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_text('not a checkpoint')
    with pytest.raises(RuntimeError, match='notes.pth'):
        warm_start(build(TDMI_CFG), str(path))


def test_converter_tool_writes_a_loadable_tdmi_checkpoint(single_frame,
                                                          tmp_path):
    sf, path = single_frame
    out = tmp_path / 'tdmi_warm.pth'
    proc = subprocess.run(
        [sys.executable, 'tools/model_converters/warm_start.py', TDMI_CFG,
         path, str(out)], cwd=ROOT, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    tdmi = init_model(TDMI_CFG, str(out), device='cpu')
    x = clip(6)
    assert (heatmaps(tdmi, x) - heatmaps(sf, x[:, 2])).abs().max() <= 1e-5
    bad = subprocess.run(
        [sys.executable, 'tools/model_converters/warm_start.py', TDMI_CFG,
         str(out), str(tmp_path / 'again.pth')], cwd=ROOT,
        capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0
    assert 'video (TDMI) checkpoint' in bad.stderr
    assert not (tmp_path / 'again.pth').exists()


def test_another_keypoint_set_is_named_in_a_warning(single_frame, tmp_path):
    """A single-frame checkpoint whose dataset meta is COCO's (same count,
    eyes where PoseTrack has head bottom and head top): the warm start
    warns, naming them; with PoseTrack's keypoints it does not."""
    import warnings

    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    sf, _ = single_frame
    for name in ('coco', 'posetrack18'):
        meta = parse_pose_metainfo(
            dict(from_file=f'configs/_base_/datasets/{name}.py'))
        path = tmp_path / f'{name}.pth'
        torch.save(dict(state_dict=sf.state_dict(),
                        meta=dict(dataset_meta=meta)), path)
        model = init_model(TDMI_CFG, None, device='cpu')  # dataset_meta set
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            warm_start(model, str(path))
        said = [str(w.message) for w in caught
                if 'another keypoint set' in str(w.message)]
        if name == 'posetrack18':
            assert said == []
        else:
            assert len(said) == 1
            assert '1: left_eye -> head_bottom, 2: right_eye -> head_top' \
                in said[0] and 'posetrack18' in said[0]
            assert 'nose' not in said[0]
