"""Feature reuse in video inference: training the way it crops
(RandomNeighbourCrop, VideoTopdownAffine), reuse by default for models so
trained, a bounded feature cache, and the streams reuse must survive."""
import cv2
import numpy as np
import pytest
import torch
from conftest import TINY_CFG
from mmpose.datasets.transforms import TopdownAffine
from mmpose.structures.bbox import get_warp_matrix

from tdmi_mmpose.apis import VideoPoseInferencer
from tdmi_mmpose.apis.inferencers import bytetrack
from tdmi_mmpose.datasets.transforms import (RandomNeighbourCrop,
                                             VideoTopdownAffine)

INPUT = (48, 64)  # (w, h)


def clip_results(num_frames=5):
    """Five copies of one 120x160 frame with a bright square, one person
    box around it."""
    image = np.zeros((120, 160, 3), np.uint8)
    image[50:70, 70:90] = 255
    kpts = np.array([[[80., 60.], [75., 55.]]], np.float32)
    return dict(img=[image.copy() for _ in range(num_frames)],
                bbox_center=np.array([[80., 60.]], np.float32),
                bbox_scale=np.array([[60., 80.]], np.float32),
                keypoints=kpts, keypoints_visible=np.ones((1, 2)))


def test_without_neighbour_crops_it_is_topdown_affine():
    plain = TopdownAffine(INPUT).transform(clip_results())
    np.random.seed(0)
    video = VideoTopdownAffine(INPUT).transform(
        RandomNeighbourCrop(prob=0).transform(clip_results()))
    for got, want in zip(video['img'], plain['img']):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(video['transformed_keypoints'],
                                  plain['transformed_keypoints'])


def test_neighbour_crops_move_only_the_neighbours():
    """prob=1: every neighbour gets a crop of its own, the key frame and
    the keypoints keep the key's crop, and each moved frame is the warp of
    its own crop."""
    np.random.seed(3)
    drawn = RandomNeighbourCrop(prob=1, shift_factor=0.2,
                                scale_factor=(1, 1)).transform(
                                    clip_results())
    centers = drawn['frame_bbox_center'].copy()
    plain = TopdownAffine(INPUT).transform(clip_results())
    out = VideoTopdownAffine(INPUT).transform(drawn)
    np.testing.assert_array_equal(out['img'][2], plain['img'][2])
    np.testing.assert_array_equal(out['transformed_keypoints'],
                                  plain['transformed_keypoints'])
    for i in (0, 1, 3, 4):
        assert not np.allclose(centers[i], centers[2])
        warp = get_warp_matrix(centers[i], out['input_scale'], 0.,
                               output_size=INPUT)
        want = cv2.warpAffine(clip_results()['img'][i], warp, INPUT,
                              flags=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(out['img'][i], want)
        # the square moved against the crop's shift (in input pixels)
        shift = (centers[i] - centers[2]) * INPUT[0] / out['input_scale'][0]
        ys, xs = np.nonzero(out['img'][i][..., 0] > 127)
        ys2, xs2 = np.nonzero(out['img'][2][..., 0] > 127)
        np.testing.assert_allclose([xs.mean() - xs2.mean(),
                                    ys.mean() - ys2.mean()], -shift,
                                   atol=1.0)


def test_each_neighbour_moves_alone_with_probability_prob():
    np.random.seed(0)
    crop = RandomNeighbourCrop(prob=0.6, shift_factor=0.2,
                               scale_factor=(0.9, 1.1))
    moved = []
    for _ in range(1000):
        out = crop.transform(clip_results())
        c, sc = out['frame_bbox_center'], out['frame_bbox_scale']
        moved.append([not np.allclose(c[i], c[2]) for i in (0, 1, 3, 4)])
        # shifts and sizes within the drawn ranges
        assert np.all(np.abs(c - c[2]) <= 0.2 * sc[2] + 1e-4)
        assert np.all((sc / sc[2] >= 0.9 - 1e-6) & (sc / sc[2] <= 1.1 + 1e-6))
    moved = np.array(moved)
    assert np.all(np.abs(moved.mean(0) - 0.6) < 0.05)
    # independent: both neighbours of one side move together as often as
    # chance says (0.36), not always (as one shared crop would)
    assert abs((moved[:, 0] & moved[:, 1]).mean() - 0.36) < 0.05


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='prob'):
        RandomNeighbourCrop(prob=1.5)
    with pytest.raises(ValueError, match='scale_factor'):
        RandomNeighbourCrop(scale_factor=(1.2, 0.8))


# ---------------------------------------------------------------- inference

@pytest.fixture(scope='module')
def reuse_cfg(tmp_path_factory):
    """The tiny config, marked as trained for feature reuse."""
    path = tmp_path_factory.mktemp('cfg') / 'tiny_reuse.py'
    path.write_text(f"_base_ = ['{TINY_CFG}']\n"
                    'model = dict(test_cfg=dict(reuse_features=True, '
                    'reuse_tolerance=0.2))\n')
    return str(path)


@pytest.fixture(scope='module')
def reuse(reuse_cfg):
    torch.manual_seed(0)
    return VideoPoseInferencer(reuse_cfg, device='cpu',
                               det_model='whole_image')


def frames(n, size=(96, 128), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 255, (*size, 3), dtype=np.uint8)
            for _ in range(n)]


def test_aligned_reuse_is_the_default_and_configs_set_it(reuse, reuse_cfg,
                                                        tmp_path):
    plain = VideoPoseInferencer(TINY_CFG, device='cpu',
                                det_model='whole_image')
    assert plain.reuse_features and plain.reuse.align
    assert plain.reuse.tolerance == 0.05
    assert reuse.reuse_features and reuse.reuse.tolerance == 0.2
    assert not VideoPoseInferencer(reuse_cfg, device='cpu',
                                   reuse_features=False,
                                   det_model='whole_image').reuse_features
    per_clip = tmp_path / 'per_clip.py'
    per_clip.write_text(f"_base_ = ['{TINY_CFG}']\n"
                        'model = dict(test_cfg=dict(reuse_features=False, '
                        'reuse_align=False))\n')
    inf = VideoPoseInferencer(str(per_clip), device='cpu',
                              det_model='whole_image')
    assert not inf.reuse_features and not inf.reuse.align
    assert inf.reuse_mode == 'off (per clip)'


def crop_sample(centre, scale):
    from mmpose.structures import PoseDataSample
    return PoseDataSample(metainfo=dict(input_center=np.array(centre),
                                        input_scale=np.array(scale)))


def ramp(centre, scale, size, flipped=False):
    """Features ``(1, 2, h, w)`` whose channels are the image x and y of
    each feature pixel's centre in the crop ``centre``, ``scale``."""
    h, w = size
    u = (np.arange(w) + 0.5) / w - 0.5
    v = (np.arange(h) + 0.5) / h - 0.5
    if flipped:
        u = u[::-1]
    x = centre[0] + u * scale[0]
    y = centre[1] + v * scale[1]
    xx, yy = np.meshgrid(x, y)
    return torch.tensor(np.stack([xx, yy])[None], dtype=torch.float64)


@pytest.mark.parametrize('flipped', [False, True])
def test_warp_to_crop_moves_features_to_the_target_crop(flipped):
    """Features that hold their own image coordinates, warped from two
    other crops (shifted, larger) into the target crop, hold the target's
    coordinates wherever the source crop covers it (bilinear resampling is
    exact on a linear ramp); a row cropped like the target is unchanged."""
    from tdmi_mmpose.apis.inferencers.utils.feature_reuse import warp_to_crop
    size = (16, 12)
    target = ((60., 50.), (40., 53.3))
    sources = [((66., 47.), (40., 53.3)), ((58., 52.), (60., 80.)), target]
    feats = [torch.cat([ramp(c, s, size, flipped) for c, s in sources])]
    warped, = warp_to_crop(feats, [crop_sample(*s) for s in sources],
                           crop_sample(*target), flipped=flipped)
    want = ramp(*target, size, flipped)[0]
    assert torch.equal(warped[2], feats[0][2])
    # the larger crop covers the target: exact everywhere
    torch.testing.assert_close(warped[1], want, atol=1e-9, rtol=0)
    # the shifted one (6 px right, 3 px up): exact on the rows and columns
    # between its outermost pixel centres
    inside = (slice(None), slice(0, 15), slice(None, 10) if flipped
              else slice(2, None))
    torch.testing.assert_close(warped[0][inside], want[inside], atol=1e-9,
                               rtol=0)


def test_aligned_reuse_crops_each_person_once_with_its_own_box():
    """Two people moving every frame, tracked: one backbone pass per person
    and frame, every crop made with that person's own box in that frame,
    and each clip's key crop the key frame's own."""
    torch.manual_seed(0)
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', tracker=bytetrack(0.5),
                              det_model='whole_image')
    boxes = [np.array([[10 + 4 * t, 10, 50 + 4 * t, 90, 0.9],
                       [80 - 3 * t, 20, 120 - 3 * t, 95, 0.9]], np.float32)
             for t in range(8)]
    passes, made = [], []
    hook = inf.model.backbone.register_forward_hook(
        lambda m, args, out: passes.append(args[0].shape[0]))
    orig = inf.reuse.crop_feats

    def spy(requests):
        out = orig(requests)
        made.extend((e[0], tuple(np.round(box[:4], 3))) for e, box in requests)
        return out
    inf.reuse.crop_feats = spy
    results = list(inf(iter(frames(8)), bboxes=boxes))
    hook.remove()
    assert [len(r['predictions'][0]) for r in results] == [2] * 8
    flip = 2 if inf.model.test_cfg.get('flip_test') else 1
    assert sum(passes) == 8 * 2 * flip
    own = {(t, tuple(np.round(b[:4], 3))) for t in range(8) for b in boxes[t]}
    assert set(made) == own


def test_online_mode_reuses_features(reuse):
    passes = []
    hook = reuse.model.backbone.register_forward_hook(
        lambda m, args, out: passes.append(args[0].shape[0]))
    box = np.array([[20, 10, 80, 90, 0.9]])
    results = list(reuse(iter(frames(6)), bboxes=[box] * 6, online=True))
    hook.remove()
    assert [len(r['predictions'][0]) for r in results] == [1] * 6
    flip = 2 if reuse.model.test_cfg.get('flip_test') else 1
    assert sum(passes) == 6 * flip  # one crop per person and frame


def test_cache_stays_bounded_over_a_long_video(reuse):
    """300 frames, people coming and going: the feature cache holds only
    the frames of one clip span."""
    n, delta = 300, reuse.delta
    boxes = []
    for t in range(n):
        frame = [[10 + (t % 40), 10, 50 + (t % 40), 80, 0.9]]
        if (t // 50) % 2:  # a second person every other 50 frames
            frame.append([70, 20, 110, 90, 0.9])
        boxes.append(np.array(frame, np.float32))
    sizes = []
    for t, result in enumerate(reuse(iter(frames(n, seed=1)),
                                     bboxes=boxes)):
        cached = {k[0] for k in reuse.reuse.cache}
        assert all(t - delta < s <= t + delta for s in cached), (t, cached)
        sizes.append(len(reuse.reuse.cache))
        assert len(result['predictions'][0]) == len(boxes[t])
    assert len(sizes) == n
    # frames x people x one crop per clip that holds the frame, at most
    assert max(sizes) <= (2 * delta) * 2 * (2 * delta + 1)
    assert max(sizes[200:]) <= max(sizes[:150])  # flat, not growing


def test_a_stream_that_changes_size_is_re_cropped(reuse):
    """Frames 0-4 at 96x128, 5-9 at 120x160: every frame gets its pose,
    and frame 5's clip holds only frames of its size: its keypoints equal
    those of the stream started at frame 5."""
    stream = frames(5) + frames(5, size=(120, 160), seed=2)
    boxes = [np.array([[20, 10, 80, 90, 0.9]])] * 10
    for inf in (reuse, VideoPoseInferencer(TINY_CFG, device='cpu',
                                           det_model='whole_image')):
        inf.model.load_state_dict(reuse.model.state_dict())
        full = list(inf(iter(stream), bboxes=boxes))
        assert [len(r['predictions'][0]) for r in full] == [1] * 10
        alone = list(inf(iter(stream[5:]), bboxes=boxes[5:]))
        np.testing.assert_allclose(full[5]['predictions'][0][0]['keypoints'],
                                   alone[0]['predictions'][0][0]['keypoints'],
                                   atol=1e-4)


def test_a_track_that_leaves_the_image(reuse):
    """A person walks out of the right edge: partly outside they still get
    a pose, the frames without them (the detector finds nobody) give no
    people, and their cached crops go with their frames."""
    boxes = [np.array([[20 + 20 * t, 10, 60 + 20 * t, 90, 0.9]])
             if 20 + 20 * t < 128 else np.zeros((0, 5)) for t in range(8)]
    counts = []
    for result in reuse(iter(frames(8)), bboxes=boxes):
        counts.append(len(result['predictions'][0]))
    assert counts == [1] * 6 + [0] * 2
    assert all(k[0] > 7 - 2 * reuse.delta for k in reuse.reuse.cache)


def test_a_generator_that_ends_early_flushes_its_frames(reuse):
    def stream():
        yield from frames(3)  # a camera that stops after 3 frames

    box = np.array([[20, 10, 80, 90, 0.9]])
    results = list(reuse(stream(), bboxes=[box] * 10))
    assert [len(r['predictions'][0]) for r in results] == [1, 1, 1]


def test_tolerance_zero_is_the_per_clip_protocol():
    """Boxes that move every frame: at tolerance 0 reuse gives the per-clip
    keypoints (every frame of a clip cropped with the key frame's box);
    at 0.2 it runs the backbone less and keeps every crop within 0.2."""
    from tdmi_mmpose.apis.inferencers.utils.feature_reuse import crop_distance
    torch.manual_seed(0)
    per_clip = VideoPoseInferencer(TINY_CFG, device='cpu',
                                   reuse_features=False,
                                   det_model='whole_image')
    boxes = [np.array([[20 + 3 * t, 10 + t, 70 + 3 * t, 85, 0.9]])
             for t in range(8)]
    runs = {}
    for name, kwargs in (('clip', {}),
                         ('0', dict(reuse_tolerance=0, reuse_align=False)),
                         ('0.2', dict(reuse_tolerance=0.2,
                                      reuse_align=False))):
        inf = VideoPoseInferencer(TINY_CFG, device='cpu', **kwargs,
                                  det_model='whole_image') \
            if kwargs else per_clip
        inf.model.load_state_dict(per_clip.model.state_dict())
        passes, used = [], []
        hook = inf.model.backbone.register_forward_hook(
            lambda m, args, out: passes.append(args[0].shape[0]))
        if kwargs:  # the crops each clip used, against its key box
            orig = inf.reuse.crop_feats

            def spy(requests, orig=orig):
                out = orig(requests)
                used.extend(crop_distance(np.asarray(s.gt_instances.bboxes[0]
                                                     ), box)
                            for (_, box), (_, _, s) in zip(requests, out))
                return out
            inf.reuse.crop_feats = spy
        runs[name] = (list(inf(iter(frames(8)), bboxes=boxes)), sum(passes),
                      max(used, default=0))
        hook.remove()
    for got, want in zip(runs['0'][0], runs['clip'][0]):
        np.testing.assert_allclose(got['predictions'][0][0]['keypoints'],
                                   want['predictions'][0][0]['keypoints'],
                                   atol=1e-4)
        assert got['predictions'][0][0]['bbox'] == \
            want['predictions'][0][0]['bbox']
    assert runs['0'][2] == 0
    assert runs['0.2'][1] < runs['0'][1] <= runs['clip'][1]
    assert runs['0.2'][2] <= 0.2 + 1e-6
