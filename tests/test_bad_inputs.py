"""Bad input that used to give silent wrong results or unhelpful crashes:
each now gives an error naming the file, frame or key and what to do, or
a logged fallback."""
import json
import os.path as osp
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from conftest import SAMPLE, TINY_CFG
from test_data import (VAL_ANN, _bad_detections, _log_of, gt_as_predictions,
                       run_metric, sample_dataset)

from tdmi_mmpose.apis import inference_video_topdown
from tdmi_mmpose.apis.inferencers import boxes_from_json

FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]
DETS = osp.join(SAMPLE, 'annotations',
                'test_posetrack18_human_detections.json')
PY = sys.executable


@pytest.fixture(scope='module')
def model():
    from mmpose.apis import init_model
    torch.manual_seed(0)
    return init_model(TINY_CFG, None, device='cpu')


def _json(tmp_path, content, name='boxes.json'):
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return str(path)


@pytest.mark.parametrize('entry,words', [
    (dict(image_id=0, bbox=['384', '72', '384', '576']),
     r"detection 0 \(frame 0\): bbox \['384'.* must be 4 finite numbers"),
    (dict(image_id=-1, bbox=[1, 2, 3, 4]),
     r'detection 0: image_id -1 is not a 0-based frame index'),
    (dict(image_id='3', bbox=[1, 2, 3, 4]),
     r"detection 0: image_id '3' is not a 0-based frame index"),
    (dict(image_id=0, bbox=[1, 2, 3]), r'must be 4 finite numbers'),
    (dict(image_id=0, bbox=[1, 2, 3, 4], score='high'),
     r"score 'high' must be a finite number"),
])
def test_boxes_json_entries_are_checked(tmp_path, entry, words):
    path = _json(tmp_path, [dict(image_id=0, bbox=[0, 0, 9, 9]), entry])
    with pytest.raises(ValueError, match=words.replace('detection 0',
                                                       'detection 1')):
        boxes_from_json(path)


def test_boxes_for_frames_beyond_the_input_warn(tmp_path):
    from tdmi_mmpose.apis import VideoPoseInferencer
    torch.manual_seed(0)
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', tracker=None,
                              det_model='whole_image')
    path = _json(tmp_path, [dict(image_id=1, bbox=[400, 100, 300, 500]),
                            dict(image_id=9, bbox=[400, 100, 300, 500])])
    with pytest.warns(UserWarning, match=r'frames 9\.\.9, beyond the 5 '
                      'frames of the input'):
        results = list(inf(FRAMES, bboxes=path))
    assert len(results) == 5
    assert [len(r['predictions'][0]) for r in results] == [0, 1, 0, 0, 0]


def test_box_wholly_outside_the_frame_is_dropped_with_a_warning(model):
    boxes = np.array([[1736, 100, 1916, 400], [400, 100, 700, 600]])
    with pytest.warns(UserWarning, match=r'dropped 1 of 2 person boxes: 1 '
                      'wholly outside the 1280x720 frame'):
        results = inference_video_topdown(model, FRAMES, boxes)
    assert len(results) == 1
    x = results[0].pred_instances.keypoints[..., 0]
    assert x.min() > 150 and x.max() < 950  # in the kept box's crop


def test_clip_api_takes_a_generator_of_frame_paths(model):
    from_list = inference_video_topdown(model, FRAMES, [[400, 100, 700, 600]])
    from_gen = inference_video_topdown(model, (f for f in FRAMES),
                                       [[400, 100, 700, 600]])
    np.testing.assert_allclose(from_gen[0].pred_instances.keypoints,
                               from_list[0].pred_instances.keypoints)
    with pytest.raises(TypeError, match='got the single path'):
        inference_video_topdown(model, FRAMES[0])


def test_frames_of_different_sizes_name_the_index(model):
    frames = [np.zeros((720, 1280, 3), np.uint8)] * 5
    frames[3] = np.zeros((360, 640, 3), np.uint8)
    with pytest.raises(ValueError, match=r'frame index 3 of the clip has size '
                       r'\(360, 640\), the key frame index 2 of the clip'):
        inference_video_topdown(model, frames, [[0, 0, 99, 99]])


def test_nan_ground_truth_joint_counts_as_not_annotated(tmp_path):
    data = json.load(open(osp.join(SAMPLE, VAL_ANN)))
    ann = data['annotations'][0]
    j = next(i for i in range(17) if ann['keypoints'][3 * i + 2] > 0)
    ann['keypoints'][3 * j] = float('nan')
    path = tmp_path / 'nan.json'
    path.write_text(json.dumps(data))  # json writes NaN, as numpy users do
    holder = {}
    log = _log_of(lambda: holder.update(res=run_metric(
        str(path), gt_as_predictions(str(path)))))
    assert holder['res']['Mean'] == pytest.approx(100.0)
    assert (f'1 labelled joints have NaN or infinite coordinates (first: '
            f'{path}, image {ann["image_id"]}') in log
    assert f'annotation {ann["id"]}, joint {j}' in log


def test_prediction_with_another_joint_count_is_named():
    ann = osp.join(SAMPLE, VAL_ANN)
    img_id, k, s, b = gt_as_predictions(ann)[0]
    with pytest.raises(ValueError, match=rf'prediction for image {img_id} '
                       r'has keypoints of shape \(1, 15, 2\).* 17 joints'):
        run_metric(ann, [(img_id, k[:15], s[:15], b)])


def test_ground_truth_with_50_keypoint_values_is_named(tmp_path):
    data = json.load(open(osp.join(SAMPLE, VAL_ANN)))
    data['annotations'][2]['keypoints'] = data['annotations'][2][
        'keypoints'][:50]
    path = _json(tmp_path, data, 'ann.json')
    aid = data['annotations'][2]['id']
    with pytest.raises(ValueError, match=rf'annotation {aid} \(image .*\) '
                       r'has 50 keypoint values; .* give 51'):
        sample_dataset(ann_file=path)
    with pytest.raises(ValueError, match=rf'annotation {aid} has 50 keypoint'):
        run_metric(path, [])


def test_ground_truth_box_without_area_is_dropped_with_a_count(tmp_path):
    data = json.load(open(osp.join(SAMPLE, VAL_ANN)))
    data['annotations'][0]['bbox'] = [100, 100, 0, 0]
    path = _json(tmp_path, data, 'ann.json')
    holder = {}
    log = _log_of(lambda: holder.update(ds=sample_dataset(ann_file=path,
                                                          test_mode=True)))
    assert len(holder['ds']) == 13  # 14 people, one dropped
    assert 'ann.json: dropped 1 people whose bbox has no area' in log


def test_detection_with_three_numbers_is_named(tmp_path):
    dets = json.load(open(DETS))[:4]
    dets[2]['bbox'] = dets[2]['bbox'][:3]
    with pytest.raises(ValueError, match=r'dets.json, detection 2 \(image '
                       r'\d+\): bbox \[.*\] must be 4 numbers'):
        sample_dataset(bbox_file=_bad_detections(tmp_path, dets),
                       test_mode=True)


def test_detection_file_whose_boxes_are_all_dropped_is_an_error(tmp_path):
    dets = json.load(open(DETS))[:3]
    for d, box in zip(dets, ([5000, 5000, 40, 80], [10, 10, 0, 50],
                             [10, 10, 40, -80])):
        d['bbox'] = box
    with pytest.raises(ValueError, match=r'dets.json: no usable person '
                       r'detection: dropped 3 of 3 detections'):
        sample_dataset(bbox_file=_bad_detections(tmp_path, dets),
                       test_mode=True, det_score_thr=0.0)


def test_truncated_checkpoint_is_called_truncated(tmp_path, model):
    from tdmi_mmpose.utils import load_checkpoint_safely
    path = tmp_path / 'full.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    with pytest.raises(RuntimeError, match='cut.pth looks truncated'):
        load_checkpoint_safely(str(cut))


def test_last_checkpoint_that_is_a_directory_stops_training(tmp_path):
    (tmp_path / 'last_checkpoint').mkdir()
    proc = subprocess.run([PY, 'tools/train.py', TINY_CFG, '--work-dir',
                           str(tmp_path), '--resume'], text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode != 0
    assert 'last_checkpoint is a directory' in proc.stderr.strip(
    ).splitlines()[-1]
    assert not list(tmp_path.glob('*.pth'))


def _video_with_undecodable_tail(path):
    """A 10-frame MJPEG AVI whose last 4 frames hold no JPEG data: the
    header promises 10 frames, 6 decode."""
    import struct

    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10,
                             (96, 128))
    for i in range(10):
        writer.write(np.full((128, 96, 3), 20 * i, np.uint8))
    writer.release()
    data = bytearray(path.read_bytes())
    movi = data.find(b'movi')
    start = movi
    for n in range(10):
        chunk = data.find(b'00dc', start)
        size = struct.unpack('<I', data[chunk + 4:chunk + 8])[0]
        if n >= 6:
            data[chunk + 8:chunk + 8 + size] = bytes(size)
        start = chunk + 8 + size
    path.write_bytes(bytes(data))


def test_video_with_fewer_decodable_frames_than_promised_warns(tmp_path):
    import mmcv

    from tdmi_mmpose.apis import VideoPoseInferencer
    video = tmp_path / 'cut.avi'
    _video_with_undecodable_tail(video)
    reader = mmcv.VideoReader(str(video))
    assert reader.frame_cnt == 10 and sum(1 for _ in reader) == 6
    torch.manual_seed(0)
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', tracker=None,
                              det_model='whole_image')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        results = list(inf(str(video)))
    assert len(results) == 6
    said = [str(w.message) for w in caught if 'promises' in str(w.message)]
    assert said == ['cut.avi: its header promises 10 frames, 6 could be '
                    'decoded; the rest were not processed (a damaged or cut '
                    'file?)']
