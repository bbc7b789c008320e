"""Inference on a clip: bad input gives the named behaviour, never a
phantom person or a silently wrong pose."""
import pathlib

import cv2
import numpy as np
import pytest
from conftest import SAMPLE, TINY_CFG
from mmpose.apis import inference_topdown, init_model

from tdmi_mmpose.apis import inference_video_topdown

FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]
BOX = [400, 100, 700, 600]


@pytest.fixture(scope='module')
def model():
    import torch
    torch.manual_seed(0)
    return init_model(TINY_CFG, None, device='cpu')


@pytest.fixture(scope='module')
def reference(model):
    return inference_video_topdown(model, FRAMES, [BOX])[0]


def keypoints(results):
    return np.concatenate([r.pred_instances.keypoints for r in results])


def test_empty_boxes_give_no_person(model):
    assert inference_video_topdown(model, FRAMES, []) == []
    assert inference_video_topdown(model, FRAMES, np.zeros((0, 4))) == []


@pytest.mark.parametrize('bad', [
    [np.nan, 100, 700, 600], [400, 100, np.inf, 600],
    [400, 100, 400, 600],  # zero width
    [700, 100, 400, 600],  # x2 < x1
])
def test_degenerate_boxes_are_dropped_with_a_warning(model, reference, bad):
    with pytest.warns(UserWarning, match=r'key frame .*000002\.jpg: dropped '
                      r'1 of 2 person boxes'):
        results = inference_video_topdown(model, FRAMES, [bad, BOX])
    assert len(results) == 1
    np.testing.assert_allclose(keypoints(results),
                               reference.pred_instances.keypoints, atol=1e-3)


def test_boxes_with_scores_use_column_5(model, reference):
    (result, ) = inference_video_topdown(model, FRAMES, [BOX + [0.25]])
    assert result.pred_instances.bbox_scores.tolist() == [0.25]
    np.testing.assert_allclose(result.pred_instances.keypoints,
                               reference.pred_instances.keypoints, atol=1e-3)


def test_paths_arrays_floats_and_grayscale_agree(model, reference):
    arrays = [cv2.imread(f) for f in FRAMES]
    variants = {
        'pathlib': [pathlib.Path(f) for f in FRAMES],
        'float in [0, 1]': [a.astype(np.float32) / 255 for a in arrays],
        'float in [0, 255]': [a.astype(np.float64) for a in arrays],
    }
    for name, frames in variants.items():
        (result, ) = inference_video_topdown(model, frames, [BOX])
        np.testing.assert_allclose(
            result.pred_instances.keypoints,
            reference.pred_instances.keypoints, atol=0.5, err_msg=name)
    # grayscale (H, W) and (H, W, 1) arrays are expanded to 3 channels
    gray = [cv2.cvtColor(a, cv2.COLOR_BGR2GRAY) for a in arrays]
    a = inference_video_topdown(model, gray, [BOX])[0]
    b = inference_video_topdown(model, [g[..., None] for g in gray],
                                [BOX])[0]
    np.testing.assert_allclose(a.pred_instances.keypoints,
                               b.pred_instances.keypoints)
    with pytest.raises(ValueError, match=r'frame 0 has shape \(4, 4, 2\)'):
        inference_video_topdown(model, [np.zeros((4, 4, 2))] * 5, [BOX])


def test_models_given_to_the_wrong_function_say_which_to_use(model):
    single = init_model(
        'configs/tdmi/synthetic/'
        'hrnet-w8_synthetic-videos-128x96_single-frame.py', None,
        device='cpu')
    with pytest.raises(TypeError, match='inference_topdown'):
        inference_video_topdown(single, FRAMES, [BOX])
    with pytest.raises(KeyError, match='inference_video_topdown'):
        inference_topdown(model, FRAMES[2], np.array([BOX]))
