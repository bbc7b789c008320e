"""TDMI model: TDE, RDM, MI loss, estimator (Sec. 3, Eq. 1-15)."""
import copy
import math

import pytest
import torch
from conftest import ROOT, TINY_CFG
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import DATASETS, MODELS

from tdmi_mmpose.models.losses import (MutualInformationLoss, js_divergence,
                                       label_distribution)
from tdmi_mmpose.models.necks import TDE, temporal_difference


def tiny_cfg():
    return Config.fromfile(TINY_CFG)


def build_tiny(**head):
    cfg = tiny_cfg()
    cfg.model.head.update(head)
    torch.manual_seed(0)
    return MODELS.build(cfg.model), cfg


def real_batch(cfg, n=4, train=True):
    """A batch from the real PoseTrack18 sample through the config's
    pipeline."""
    key = 'train_dataloader' if train else 'val_dataloader'
    dataset = DATASETS.build(cfg[key].dataset)
    return pseudo_collate([dataset[i] for i in range(n)])


def random_clip_batch(model, cfg, batch_size=2, seed=1):
    """Real labels and metadata, with independent random frames so that
    temporal differences are non-zero."""
    data = model.data_preprocessor(real_batch(cfg, batch_size), True)
    g = torch.Generator().manual_seed(seed)
    data['inputs'] = torch.randn(data['inputs'].shape, generator=g)
    return data


def test_temporal_difference_matches_eq1():
    # 3 frames, 2 channels, 1x2 maps: hand-made values
    feats = torch.tensor([[[[[1., 2.]], [[0., 0.]]],
                           [[[4., 4.]], [[1., -1.]]],
                           [[[5., 9.]], [[3., 3.]]]]])  # (1, 3, 2, 1, 2)
    diff = temporal_difference(feats)
    expected = torch.tensor([[[[3., 2.]], [[1., -1.]],  # F_t - F_{t-1}
                              [[1., 5.]], [[2., 4.]]]])  # F_{t+1} - F_t
    assert diff.shape == (1, 4, 1, 2)
    assert torch.equal(diff, expected)


def test_tde_stage_shapes_and_ablations():
    torch.manual_seed(0)
    feats = tuple(torch.randn(2, 5, 8, 16, 12) for _ in range(4))
    for kwargs in [dict(), dict(fusion='concat', modulation=False),
                   dict(modulation=False), dict(stages=(4, ))]:
        tde = TDE(in_channels=8, channels=8, **kwargs)
        motion, visual = tde(feats)
        assert motion.shape == (2, 8, 16, 12)
        assert visual is feats[-1]
    tde = TDE(in_channels=8, channels=8)
    # {3, 3, 2, 2} residual blocks per stage (Sec. 3.1)
    assert [len(m) for m in tde.intra_stage] == [3, 3, 2, 2]
    # first block sees the 4 concatenated differences of 5 frames
    assert tde.intra_stage[0][0].conv1.in_channels == 4 * 8
    with pytest.raises(ValueError, match='5 frames'):
        tde(tuple(f[:, :3] for f in feats))


def test_identical_frames_give_no_motion_signal():
    """Eq. 1: a static clip has zero differences, so M does not depend on
    the frame content."""
    tde = TDE(in_channels=8, channels=8).eval()
    a = torch.randn(1, 1, 8, 16, 12).expand(1, 5, 8, 16, 12)
    b = torch.randn(1, 1, 8, 16, 12).expand(1, 5, 8, 16, 12)
    with torch.no_grad():
        ma, _ = tde((a, ) * 4)
        mb, _ = tde((b, ) * 4)
    torch.testing.assert_close(ma, mb)


def test_backbone_stage_features():
    model, _ = build_tiny()
    feats = model.backbone(torch.randn(3, 3, 128, 96))
    assert [tuple(f.shape) for f in feats] == [(3, 8, 32, 24)] * 4


def test_js_divergence_bounds_and_label_distribution_scale_invariance():
    torch.manual_seed(0)
    a, b = torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8)
    la, lb = label_distribution(a), label_distribution(b)
    assert js_divergence(la, la).item() == pytest.approx(0, abs=1e-6)
    assert 0 < js_divergence(la, lb).item() < math.log(2)
    # a true JS: 0.5 KL(P||M) + 0.5 KL(Q||M), computed by hand in float64
    p, q = la.double().exp(), lb.double().exp()
    m = 0.5 * (p + q)
    manual = 0.5 * ((p * (p / m).log()).sum(-1) +
                    (q * (q / m).log()).sum(-1)).mean()
    torch.testing.assert_close(js_divergence(la, lb).double(), manual,
                               rtol=1e-4, atol=1e-5)
    # single peaks at different places of a large map: disjoint supports,
    # the bound log 2
    p_, q_ = torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 32, 32)
    p_[..., 0, 0], q_[..., 20, 20] = 1.0, 1.0
    assert js_divergence(label_distribution(p_), label_distribution(
        q_)).item() == pytest.approx(math.log(2), abs=1e-4)
    # positive rescaling and a per-map offset leave q(y|a) unchanged
    torch.testing.assert_close(label_distribution(1e3 * a + 5), la,
                               atol=1e-4, rtol=0)


def test_mi_terms_signs_bounds_and_weights():
    torch.manual_seed(0)
    m, u, n, f, h = (torch.randn(2, 3, 6, 6) for _ in range(5))
    terms = MutualInformationLoss()(m, u, n, f, h)
    assert set(terms) == {'loss_mi_un', 'loss_mi_mu', 'loss_mi_uy',
                          'loss_mi_fy'}
    log2 = math.log(2)
    # Eq. 13 signs: +I(M_u;M_n) in [0, log 2], -I(M;M_u) in [-log 2, 0],
    # the conditional terms (VSD divergences) in [0, log 2]
    assert 0 < terms['loss_mi_un'] < log2
    assert -log2 < terms['loss_mi_mu'] < 0
    assert 0 < terms['loss_mi_uy'] < log2 and 0 < terms['loss_mi_fy'] < log2
    # identical readouts: I(M_u;M_n) and I(M;M_u) at their maximum log 2,
    # nothing lost to F~
    same = MutualInformationLoss()(h, h, h, h, h)
    assert same['loss_mi_un'].item() == pytest.approx(log2, abs=1e-5)
    assert same['loss_mi_mu'].item() == pytest.approx(-log2, abs=1e-5)
    assert same['loss_mi_uy'].item() == pytest.approx(0, abs=1e-6)
    assert same['loss_mi_fy'].item() == pytest.approx(0, abs=1e-6)
    # alpha and per-term weights scale the terms
    w = MutualInformationLoss(loss_weight=2.0, term_weights=dict(mu=0.5))(
        m, u, n, f, h)
    torch.testing.assert_close(w['loss_mi_mu'], terms['loss_mi_mu'])
    torch.testing.assert_close(w['loss_mi_uy'], 2 * terms['loss_mi_uy'])
    with pytest.raises(KeyError):
        MutualInformationLoss(term_weights=dict(bogus=1.0))
    # the teacher q(y|F~) gets no gradient from the MI terms
    h.requires_grad_(True)
    u.requires_grad_(True)
    sum(MutualInformationLoss()(m, u, n, f, h).values()).backward()
    assert h.grad is None and u.grad is not None


def test_mi_terms_cannot_be_moved_by_rescaling_features():
    """Scaling M_u or M_n by 1e3 keeps every term within its bound and
    (the readout being linear) at the same value."""
    model, cfg = build_tiny()
    model.train()
    data = random_clip_batch(model, cfg)
    head = model.head
    with torch.no_grad():
        out = head.forward_features(model.extract_feat(data['inputs']))

    def terms(**scale):
        feats = {k: out[k] * scale.get(k, 1.0)
                 for k in ('motion', 'useful', 'noisy', 'visual')}
        return head.mi_loss(
            *(head.readout(feats[k])
              for k in ('motion', 'useful', 'noisy', 'visual')),
            out['heatmaps'])

    base = terms()
    for scaled in (terms(useful=1e3), terms(noisy=1e3),
                   terms(useful=1e-3, noisy=1e3)):
        for name, value in scaled.items():
            low, high = ((-math.log(2), 0) if name == 'loss_mi_mu' else
                         (0, math.log(2)))
            assert low - 1e-6 <= value.item() <= high + 1e-6, name
            assert value.item() == pytest.approx(base[name].item(),
                                                 abs=2e-3), name


def test_rdm_modes():
    from tdmi_mmpose.models.heads import RDM
    m = torch.randn(2, 8, 4, 4)
    u, n = RDM(8, 16)(m)
    ratio_u = u / m
    # Eq. 6: channel-wise rescaling by a sigmoid mask in (0, 1)
    assert torch.allclose(ratio_u, ratio_u[..., :1, :1].expand_as(ratio_u),
                          atol=1e-5)
    assert (ratio_u > 0).all() and (ratio_u < 1).all()
    assert not torch.allclose(u, n)
    u, n = RDM(8, mode='split')(m)
    assert torch.equal(u + n, m) and (u[:, 4:] == 0).all()
    u, n = RDM(8, mode='identity')(m)
    assert u is m and n is m


def test_output_shape_and_every_parameter_gets_gradient():
    model, cfg = build_tiny()
    model.train()
    data = random_clip_batch(model, cfg)
    assert data['inputs'].shape == (2, 5, 3, 128, 96)
    out = model(data['inputs'], None, mode='tensor')
    assert out.shape == (2, 17, 32, 24)
    losses = model(**data, mode='loss')
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    missing = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or
                                       not torch.any(p.grad != 0))]
    assert not missing, f'no gradient reaches {missing}'
    for part in ('backbone', 'neck', 'head.rdm', 'head.fusion',
                 'head.final_layer', 'neck.modulation'):
        assert any(n.startswith(part) for n, _ in model.named_parameters())


def test_flip_test_on_symmetric_input_is_symmetric():
    model, cfg = build_tiny()
    model.eval()
    model.test_cfg = dict(flip_test=True, flip_mode='heatmap',
                          shift_heatmap=False, output_heatmaps=True)
    data = model.data_preprocessor(real_batch(cfg, 2, train=False), False)
    x = torch.randn(2, 5, 3, 128, 48)
    data['inputs'] = torch.cat([x, x.flip(-1)], dim=-1)  # symmetric
    with torch.no_grad():
        results = model(**data, mode='predict')
    flip_indices = results[0].metainfo['flip_indices']
    for res in results:
        hm = res.pred_fields.heatmaps[None]
        mirrored = flip_heatmaps(hm, flip_indices=flip_indices,
                                 shift_heatmap=False)
        torch.testing.assert_close(hm, mirrored, atol=1e-5, rtol=1e-4)
    # and without flip test the raw output is not symmetric (the test can
    # fail)
    model.test_cfg = dict(flip_test=False, output_heatmaps=True)
    with torch.no_grad():
        raw = model(**data, mode='predict')[0].pred_fields.heatmaps[None]
    assert not torch.allclose(
        raw, flip_heatmaps(raw, flip_indices=flip_indices,
                           shift_heatmap=False), atol=1e-5)


def test_predictions_map_back_into_the_key_frame():
    model, cfg = build_tiny()
    model.eval()
    data = model.data_preprocessor(real_batch(cfg, 3, train=False), False)
    with torch.no_grad():
        results = model(**data, mode='predict')
    checked = 0
    for res in results:
        # mmpose marks joints whose heatmap maximum is <= 0 with -1
        kpts = res.pred_instances.keypoints[0][
            res.pred_instances.keypoint_scores[0] > 0]
        x1, y1, x2, y2 = res.gt_instances.bboxes[0]
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        # predictions land in the (padded) box of the key frame's image
        w, h = res.metainfo['input_scale']
        assert (abs(kpts[:, 0] - cx) <= w / 2 + 1).all()
        assert (abs(kpts[:, 1] - cy) <= h / 2 + 1).all()
        checked += len(kpts)
    assert checked > 0


@pytest.mark.parametrize('head', [dict(), dict(visual='sequence'),
                                  dict(mi_loss=None),
                                  dict(rdm=dict(mode='split'))])
def test_tiny_model_trains_and_loss_falls(head):
    model, cfg = build_tiny(**head)
    model.train()
    data = random_clip_batch(model, cfg, batch_size=4)
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = []
    for _ in range(8):
        losses = model(**copy.deepcopy(data), mode='loss')
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        optim.zero_grad()
        total.backward()
        optim.step()
        history.append(total.item())
    assert all(map(lambda v: v == v, history))  # finite
    assert history[-1] < history[0], history


@pytest.mark.parametrize('config', [
    'configs/tdmi/tdmi_hrnet-w48_posetrack17-384x288.py',
    'configs/tdmi/tdmi-st_hrnet-w48_posetrack17-384x288.py'
])
def test_full_w48_config_runs_one_forward(config):
    cfg = Config.fromfile(f'{ROOT}/{config}')
    model = MODELS.build(cfg.model).eval()
    assert model.backbone.stage4_cfg['num_channels'][0] == 48
    with torch.no_grad():
        out = model(torch.randn(1, 5, 3, 384, 288), None, mode='tensor')
    assert out.shape == (1, 17, 96, 72)


def test_loads_mmpose_single_frame_hrnet_checkpoint(tmp_path):
    """An mmpose top-down HRNet checkpoint (model-zoo layout, numpy meta)
    initialises TDMI's backbone through backbone.init_cfg (mmpose's
    Pretrained with prefix); loaded as a whole TDMI checkpoint it is an
    error, unless partial loading is asked for."""
    import numpy as np
    from mmengine.runner import load_checkpoint
    cfg = tiny_cfg()
    single = dict(type='TopdownPoseEstimator',
                  backbone=dict(cfg.model.backbone, type='HRNet'),
                  head=dict(type='HeatmapHead', in_channels=8,
                            out_channels=17, deconv_out_channels=None))
    torch.manual_seed(3)
    hrnet = MODELS.build(single)
    path = tmp_path / 'hrnet_coco.pth'
    torch.save(dict(state_dict=hrnet.state_dict(),
                    meta=dict(epoch=np.int64(210),
                              hook_msgs=dict(best=np.float64(0.7)))), path)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', prefix='backbone.',
                                       checkpoint=str(path))
    model = MODELS.build(cfg.model)
    model.init_weights()
    for name, value in hrnet.backbone.state_dict().items():
        assert torch.equal(model.backbone.state_dict()[name], value), name
    with pytest.raises(RuntimeError, match='does not hold .* weights.*'
                       'partial_load=True'):
        load_checkpoint(build_tiny()[0], str(path), map_location='cpu')
    partial, _ = build_tiny()
    partial.partial_load = True
    load_checkpoint(partial, str(path), map_location='cpu')
    for name, value in hrnet.backbone.state_dict().items():
        assert torch.equal(partial.backbone.state_dict()[name], value), name


def test_checkpoint_of_another_frame_count_is_an_error(tmp_path):
    from mmengine.runner import load_checkpoint
    cfg = tiny_cfg()
    cfg.model.neck.num_frames = cfg.model.head.num_frames = 3
    three = MODELS.build(cfg.model)
    path = tmp_path / 'three_frames.pth'
    torch.save(dict(state_dict=three.state_dict()), path)
    with pytest.raises(RuntimeError, match=r'neck\.intra_stage.*\(.*in the '
                       'checkpoint'):
        load_checkpoint(build_tiny()[0], str(path), map_location='cpu')
    # its own checkpoint loads
    load_checkpoint(three, str(path), map_location='cpu')


def test_preprocessor_normalises_every_frame_and_keeps_the_clip_axis():
    from tdmi_mmpose.models.data_preprocessors import \
        VideoPoseDataPreprocessor
    mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
    pre = VideoPoseDataPreprocessor(mean=mean, std=std, bgr_to_rgb=True)
    clips = [torch.randint(0, 256, (5, 3, 8, 6), dtype=torch.uint8)
             for _ in range(2)]
    out = pre(dict(inputs=clips, data_samples=None))['inputs']
    assert out.shape == (2, 5, 3, 8, 6)
    m = torch.tensor(mean).view(3, 1, 1)
    s = torch.tensor(std).view(3, 1, 1)
    for b in range(2):
        for t in range(5):
            expect = (clips[b][t][[2, 1, 0]].float() - m) / s
            torch.testing.assert_close(out[b, t], expect)
    with pytest.raises(ValueError, match='one shape'):
        pre(dict(inputs=[clips[0], clips[1][:3]], data_samples=None))


@pytest.mark.parametrize('dataset', ['17', '18', '21'])
def test_full_configs_follow_the_paper(dataset):
    """Sec. 4.1: delta 2, Adam 1e-3 decayed x0.1 at epochs 6/12/18 over 20
    epochs, alpha 1, rotation 45, scale 0.65-1.35, half body, flip,
    COCO-pretrained HRNet-W48; 288x384 input (earlier public code)."""
    cfg = Config.fromfile(
        f'{ROOT}/configs/tdmi/tdmi_hrnet-w48_posetrack{dataset}-384x288.py')
    assert cfg.train_dataloader.dataset.type == \
        f'PoseTrack{dataset}ClipDataset'
    assert cfg.train_dataloader.dataset.delta == 2
    assert cfg.model.neck.num_frames == cfg.model.head.num_frames == 5
    assert cfg.model.neck.num_blocks == (3, 3, 2, 2)
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-3)
    (sched, ) = cfg.param_scheduler
    assert sched.milestones == [6, 12, 18] and sched.gamma == 0.1
    assert cfg.train_cfg.max_epochs == 20
    assert cfg.model.head.mi_loss.loss_weight == 1.0
    init = cfg.model.backbone.init_cfg
    assert init.type == 'Pretrained' and init.prefix == 'backbone.'
    assert 'hrnet_w48_coco_384x288' in init.checkpoint
    assert cfg.get('load_from') is None
    aug = {t['type']: t for t in cfg.train_pipeline}
    assert aug['RandomBBoxTransform']['rotate_factor'] == 45
    assert aug['RandomBBoxTransform']['scale_factor'] == (0.65, 1.35)
    assert aug['RandomHalfBody']['prob'] == 0.3
    assert aug['RandomFlip']['prob'] == 0.5
    assert aug['GetBBoxCenterScale']['padding'] == 1.25
    assert cfg.codec.input_size == (288, 384)
    assert cfg.val_dataloader.dataset.det_score_thr == 0.2


def test_inference_on_a_real_clip_from_files_and_arrays():
    import cv2
    from conftest import SAMPLE
    from mmpose.apis import init_model

    from tdmi_mmpose.apis import inference_video_topdown
    model = init_model(tiny_cfg(), None, device='cpu')
    frames = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
              for i in range(5)]
    boxes = [[400, 100, 700, 600], [0, 0, 200, 300]]
    from_files = inference_video_topdown(model, frames, boxes)
    arrays = [cv2.imread(f) for f in frames]
    from_arrays = inference_video_topdown(model, arrays, boxes)
    assert len(from_files) == 2
    for a, b in zip(from_files, from_arrays):
        assert a.pred_instances.keypoints.shape == (1, 17, 2)
        np_a, np_b = a.pred_instances.keypoints, b.pred_instances.keypoints
        assert (abs(np_a - np_b) < 1e-3).all()
    assert from_files[0].metainfo['img_path'] == frames[2]
    with pytest.raises(ValueError, match='5 frames'):
        inference_video_topdown(model, frames[:3])
