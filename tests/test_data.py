"""Video data: clip datasets, shared-transform pipeline, PoseTrack mAP."""
import json
import os.path as osp
import random
import shutil

import cv2
import numpy as np
import pytest
from conftest import SAMPLE, TINY_CFG
from mmengine.config import Config
from mmpose.registry import DATASETS

from tdmi_mmpose.datasets import neighbour_frame_paths
from tdmi_mmpose.evaluation import PoseTrackMAPMetric, average_precision

VAL_ANN = 'annotations/test_posetrack18_val.json'
CLIP = 'videos/000001_mpiinew_test'


def sample_dataset(**kwargs):
    cfg = dict(type='PoseTrack18ClipDataset', data_root=SAMPLE,
               ann_file=VAL_ANN, data_prefix=dict(img=''), pipeline=[])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_sample_yields_14_people_with_clipped_neighbours():
    ds = sample_dataset()
    assert len(ds) == 14
    videos = set()
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        paths = info['frame_paths']
        folder = osp.dirname(info['img_path'])
        videos.add(folder)
        # key frame 0 has no earlier frame: offsets -2, -1 clip to frame 0
        assert paths == [osp.join(folder, f'{n:06d}.jpg')
                         for n in (0, 0, 0, 1, 2)]
        assert paths[2] == info['img_path']
    assert len(videos) == 3


def test_detection_boxes_with_score_threshold():
    det = 'annotations/test_posetrack18_human_detections.json'
    ds_all = sample_dataset(bbox_file=osp.join(SAMPLE, det),
                            det_score_thr=0.0, test_mode=True)
    ds = sample_dataset(bbox_file=osp.join(SAMPLE, det), test_mode=True)
    scores = [d['score'] for d in json.load(open(osp.join(SAMPLE, det)))]
    assert len(ds_all) == len(scores)
    assert len(ds) == sum(s >= 0.2 for s in scores) < len(scores)
    assert all(len(ds.get_data_info(i)['frame_paths']) == 5
               for i in range(len(ds)))


def _log_of(fn):
    """What ``fn`` logs through mmengine's current logger."""
    import io
    import logging
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    logger.addHandler(handler)
    try:
        fn()
    finally:
        logger.removeHandler(handler)
    return buf.getvalue()


def _bad_detections(tmp_path, dets):
    path = tmp_path / 'dets.json'
    path.write_text(dets if isinstance(dets, str) else json.dumps(dets))
    return str(path)


def test_bad_detection_files_are_named(tmp_path):
    for content, words in (('[]', 'holds no person detection'),
                           ('{"oops"', 'is not a JSON file')):
        with pytest.raises(ValueError, match=rf'dets.json {words}'):
            sample_dataset(bbox_file=_bad_detections(tmp_path, content),
                           test_mode=True)


def test_degenerate_detection_boxes_are_dropped_with_a_count(tmp_path):
    det = osp.join(SAMPLE, 'annotations',
                   'test_posetrack18_human_detections.json')
    dets = json.load(open(det))[:3]
    img = dets[0]['image_id']
    bad = [dict(dets[0], bbox=[10, 10, 0, 50]),  # no width
           dict(dets[0], bbox=[10, 10, -5, 50]),  # negative width
           dict(dets[0], bbox=[5000, 5000, 40, 80]),  # off the image
           dict(dets[0], bbox=[float('nan'), 10, 40, 80])]
    path = _bad_detections(tmp_path, dets + bad)
    holder = {}
    log = _log_of(lambda: holder.update(ds=sample_dataset(
        bbox_file=path, test_mode=True, det_score_thr=0.0)))
    assert len(holder['ds']) == 3
    assert all(holder['ds'].get_data_info(i)['img_id'] in
               {d['image_id'] for d in dets} for i in range(3))
    assert 'dropped 4 of 7 detections (1 not finite, 2 without area, 1 ' \
        'outside their image)' in log
    assert img


def test_annotation_file_that_is_not_json_is_named(tmp_path):
    bad = tmp_path / 'broken.json'
    bad.write_text('{"images": [')
    with pytest.raises(ValueError, match='broken.json is not a JSON file'):
        sample_dataset(ann_file=str(bad))


def make_clip_ann(tmp_path, key_frames, nframes=5, folder=CLIP,
                  digits=6):
    """A PoseTrack18-format annotation naming frames of the real clip."""
    images, anns = [], []
    for n, key in enumerate(key_frames):
        images.append(dict(id=n + 1, file_name=f'{folder}/{key:0{digits}d}'
                           '.jpg', width=1280, height=720, is_labeled=True))
        if nframes is not None:
            images[-1]['nframes'] = nframes
        anns.append(dict(id=n + 1, image_id=n + 1, category_id=1,
                         bbox=[500, 100, 200, 400], num_keypoints=1,
                         keypoints=[600, 200, 1] + [0, 0, 0] * 16,
                         bbox_head=[580, 150, 40, 50], iscrowd=0))
    cats = json.load(open(osp.join(SAMPLE, VAL_ANN)))['categories']
    path = tmp_path / 'clip.json'
    path.write_text(json.dumps(dict(images=images, annotations=anns,
                                    categories=cats)))
    return str(path)


def test_five_frame_window_over_real_clip(tmp_path):
    ds = sample_dataset(ann_file=make_clip_ann(tmp_path, [2, 0, 4]),
                        pipeline=[dict(type='LoadVideoFrames')])
    folder = osp.join(SAMPLE, CLIP)
    expect = {2: [0, 1, 2, 3, 4], 0: [0, 0, 0, 1, 2], 4: [2, 3, 4, 4, 4]}
    for i, key in enumerate([2, 0, 4]):
        out = ds[i]
        names = [f'{n:06d}.jpg' for n in expect[key]]
        assert out['frame_paths'] == [osp.join(folder, n) for n in names]
        assert len(out['img']) == 5
        for img, name in zip(out['img'], names):
            assert np.array_equal(img, cv2.imread(osp.join(folder, name)))
    # the five real frames differ: the order is observable
    frames = ds[0]['img']
    assert not np.array_equal(frames[0], frames[4])


def test_video_range_from_listed_frames_without_nframes(tmp_path):
    # no nframes: the video spans the frames the annotation file lists
    ds = sample_dataset(ann_file=make_clip_ann(tmp_path, [1, 2, 3],
                                               nframes=None))
    names = [[osp.basename(p) for p in ds.get_data_info(i)['frame_paths']]
             for i in range(3)]
    assert names[0] == [f'{n:06d}.jpg' for n in (1, 1, 1, 2, 3)]
    assert names[2] == [f'{n:06d}.jpg' for n in (1, 2, 3, 3, 3)]


def test_frame_names_are_read_not_hard_coded(tmp_path):
    # 8-digit, 1-based (renamed PoseTrack17)
    paths = neighbour_frame_paths('v/00000001.jpg', 1, 30, range(-2, 3))
    assert [osp.basename(p) for p in paths] == [
        '00000001.jpg', '00000001.jpg', '00000001.jpg', '00000002.jpg',
        '00000003.jpg']
    paths = neighbour_frame_paths('v/000029.png', 0, 29, range(-2, 3))
    assert [osp.basename(p) for p in paths] == [
        '000027.png', '000028.png', '000029.png', '000029.png',
        '000029.png']
    with pytest.raises(ValueError, match='frame number'):
        neighbour_frame_paths('v/frame.jpg', 0, 9, [0])
    ds = DATASETS.build(dict(
        type='PoseTrack17ClipDataset', data_root=str(tmp_path),
        ann_file=make_clip_ann(tmp_path, [1], nframes=30, digits=8),
        data_prefix=dict(img=''), pipeline=[]))
    assert [osp.basename(p) for p in ds.get_data_info(0)['frame_paths']
            ] == ['00000001.jpg'] * 3 + ['00000002.jpg', '00000003.jpg']


def copy_clip(tmp_path, same_image=False):
    """The real five frames in a folder of their own (or five copies of
    one frame)."""
    folder = tmp_path / CLIP
    folder.mkdir(parents=True)
    src = osp.join(SAMPLE, CLIP)
    for n in range(5):
        shutil.copy(osp.join(src, f'{2 if same_image else n:06d}.jpg'),
                    folder / f'{n:06d}.jpg')
    return folder


def test_shared_transform_keeps_frames_aligned(tmp_path):
    copy_clip(tmp_path, same_image=True)
    cfg = Config.fromfile(TINY_CFG)
    pipeline = [dict(t) for t in cfg.train_pipeline]
    pipeline[0] = dict(type='LoadVideoFrames')  # every file exists here
    ds = sample_dataset(data_root=str(tmp_path),
                        ann_file=make_clip_ann(tmp_path, [2]),
                        pipeline=pipeline)
    flips = set()
    for seed in range(12):
        random.seed(seed)
        np.random.seed(seed)
        out = ds[0]
        clip = out['inputs']
        assert clip.shape == (5, 3, 128, 96)
        for t in range(5):
            assert np.array_equal(clip[t].numpy(), clip[2].numpy())
        flips.add(bool(out['data_samples'].metainfo['flip']))
    # the augmentation really varied between draws
    assert flips == {True, False}


def test_missing_neighbour_error_and_nearest_fallback(tmp_path):
    folder = copy_clip(tmp_path)
    (folder / '000003.jpg').unlink()
    ann = make_clip_ann(tmp_path, [2])
    ds = sample_dataset(data_root=str(tmp_path), ann_file=ann,
                        pipeline=[dict(type='LoadVideoFrames')])
    with pytest.raises(FileNotFoundError) as err:
        ds[0]
    assert '000003.jpg' in str(err.value)
    assert 'key frame' in str(err.value) and '000002.jpg' in str(err.value)
    ds = sample_dataset(data_root=str(tmp_path), ann_file=ann, pipeline=[
        dict(type='LoadVideoFrames', missing_frame='nearest')])
    out = ds[0]
    # frame +1 is missing: equally near are the key frame and frame +2;
    # the one closer to the key frame (the key frame) is used
    assert np.array_equal(out['img'][3], out['img'][2])
    assert not np.array_equal(out['img'][4], out['img'][2])
    assert out['frame_paths'][3].endswith('000002.jpg')
    # one warning for the video, with the count so far (a fresh loader)
    fresh = sample_dataset(data_root=str(tmp_path), ann_file=ann, pipeline=[
        dict(type='LoadVideoFrames', missing_frame='nearest')])
    log = _log_of(lambda: [fresh[0], fresh[0]])
    assert log.count('are missing') == 1, log
    assert 'first seen: ' in log and '000003.jpg' in log
    # a missing key frame always raises
    (folder / '000002.jpg').unlink()
    with pytest.raises(FileNotFoundError, match='key frame'):
        ds[0]


def test_unreadable_frame_is_reported(tmp_path):
    folder = copy_clip(tmp_path)
    (folder / '000001.jpg').write_bytes(b'not a jpeg')
    ds = sample_dataset(data_root=str(tmp_path),
                        ann_file=make_clip_ann(tmp_path, [2]),
                        pipeline=[dict(type='LoadVideoFrames')])
    with pytest.raises(FileNotFoundError, match='000001.jpg'):
        ds[0]


def test_frames_decoded_once(tmp_path, monkeypatch):
    from tdmi_mmpose.datasets.transforms import LoadVideoFrames
    calls = []
    orig = LoadVideoFrames._load_one
    monkeypatch.setattr(LoadVideoFrames, '_load_one',
                        lambda self, p: calls.append(p) or orig(self, p))
    ds = sample_dataset(ann_file=make_clip_ann(tmp_path, [0]),
                        pipeline=[dict(type='LoadVideoFrames')])
    ds[0]
    assert len(calls) == 3 == len(set(calls))  # frames 0, 0, 0, 1, 2


# ---------------------------------------------------------------- metric


def run_metric(ann_file, preds, **kwargs):
    """preds: (img_id, keypoints (17, 2), scores (17,), box score)."""
    metric = PoseTrackMAPMetric(ann_file=ann_file, **kwargs)
    metric.process({}, [
        dict(img_id=img_id,
             pred_instances=dict(keypoints=np.asarray(k)[None],
                                 keypoint_scores=np.asarray(s)[None]),
             gt_instances=dict(bbox_scores=np.array([b])))
        for img_id, k, s, b in preds
    ])
    return metric.compute_metrics(metric.results)


def gt_as_predictions(ann_file):
    data = json.load(open(ann_file))
    preds = []
    for ann in data['annotations']:
        k = np.asarray(ann['keypoints'], dtype=float).reshape(-1, 3)
        preds.append((ann['image_id'], k[:, :2], (k[:, 2] > 0) * 1.0, 1.0))
    return preds


def test_metric_is_100_for_ground_truth(tmp_path):
    ann = osp.join(SAMPLE, VAL_ANN)
    out = tmp_path / 'pred'
    res = run_metric(ann, gt_as_predictions(ann), outfile_prefix=str(out))
    for key in ('Head', 'Shoulder', 'Elbow', 'Wrist', 'Hip', 'Knee',
                'Ankle', 'Mean'):
        assert res[key] == pytest.approx(100.0), key
    # one JSON per video, every frame of the video listed
    files = sorted(p.name for p in out.iterdir())
    assert files == ['003418_mpii_test.json', '009473_mpii_test.json',
                     '012834_mpii_test.json']
    video = json.load(open(out / '012834_mpii_test.json'))
    assert len(video['images']) == 1 and len(video['annotations']) > 0
    assert len(video['annotations'][0]['keypoints']) == 17 * 3


def handmade(tmp_path, ignore=True):
    """One frame, two people, a false positive and an ignore region.

    Head box 30x40: head size 0.6 * 50 = 30, PCKh@0.5 threshold 15 px.
    """
    def kp(points):
        k = np.zeros((17, 3))
        for j, (x, y) in points.items():
            k[j] = (x, y, 1)
        return k.reshape(-1).tolist()

    cats = json.load(open(osp.join(SAMPLE, VAL_ANN)))['categories']
    img = dict(id=1, file_name='images/v/000000.jpg', is_labeled=True,
               width=1000, height=1000, nframes=1)
    if ignore:
        img.update(ignore_regions_x=[[500, 600, 600, 500]],
                   ignore_regions_y=[[0, 0, 200, 200]])
    anns = [
        dict(id=1, image_id=1, category_id=1, bbox_head=[85, 80, 30, 40],
             keypoints=kp({0: (100, 100), 1: (100, 120), 5: (90, 130)})),
        dict(id=2, image_id=1, category_id=1, bbox_head=[285, 80, 30, 40],
             keypoints=kp({0: (300, 100)})),
    ]
    path = tmp_path / f'handmade{int(ignore)}.json'
    path.write_text(json.dumps(dict(images=[img], annotations=anns,
                                    categories=cats)))

    def pred(points, score):
        k = np.full((17, 2), 2000.0)
        for j, xy in points.items():
            k[j] = xy
        return (1, k, np.full(17, score), 1.0)

    preds = [
        # person 1: nose 14 px off (in), neck 16 px off (out), shoulder exact
        pred({0: (114, 100), 1: (100, 136), 5: (90, 130)}, 0.9),
        pred({0: (300, 100)}, 0.8),  # person 2, exact
        pred({j: (1000, 1000) for j in range(17)}, 0.95),  # false positive
        pred({j: (550, 100) for j in range(17)}, 0.99),  # in ignore region
    ]
    return str(path), preds


def test_metric_hand_computed_case(tmp_path):
    ann, preds = handmade(tmp_path)
    res = run_metric(ann, preds)
    # nose: FP .95, TP .9, TP .8 of 2 -> AP = 2/3; neck: 0 of 1;
    # left shoulder: FP .95, TP .9 -> AP = 1/2. Head top, right shoulder,
    # elbows...: predicted but never annotated -> NaN, and so are their
    # rows (poseval); Mean skips them
    assert res['Mean'] == pytest.approx((200 / 3 + 0 + 50) / 3)
    assert np.isnan(res['Head']) and np.isnan(res['Elbow'])
    # without the ignore region the fourth prediction is a false positive
    # ranked first: nose 1/2, left shoulder (FP .99, FP .95, TP .9) 1/3
    ann, preds = handmade(tmp_path, ignore=False)
    assert run_metric(ann, preds)['Mean'] == pytest.approx(
        (50 + 0 + 100 / 3) / 3)


def test_metric_independent_of_prediction_order(tmp_path):
    ann, preds = handmade(tmp_path)
    # a tie between the false positive and a true positive
    preds[2] = (preds[2][0], preds[2][1], np.full(17, 0.9), 1.0)
    ref = run_metric(ann, preds)
    for seed in range(5):
        random.Random(seed).shuffle(preds)
        assert run_metric(ann, preds) == pytest.approx(ref, nan_ok=True)


def test_average_precision_basics():
    assert average_precision([0.9, 0.8], [1, 1], 2) == pytest.approx(100)
    assert average_precision([0.9, 0.8], [0, 1], 1) == pytest.approx(50)
    assert average_precision([], [], 3) == 0.0
    # no ground truth: NaN when predicted, 0 when not (poseval)
    assert np.isnan(average_precision([0.5], [0], 0))
    assert average_precision([], [], 0) == 0.0
    # NaN scores used to give 100 or 50 depending on order
    with pytest.raises(ValueError, match='NaN or infinite'):
        average_precision([np.nan] * 4, [1, 1, 0, 0], 2)


def nose_case(tmp_path, preds, nose=(300, 100), extra_images=(),
              ignore=None):
    """One labelled frame, one person with only the nose annotated (head
    box 30x40: PCKh@0.5 threshold 15 px); ``preds``: (nose xy or None for
    (0, 0), score), all other joints at (0, 0), i.e. absent."""
    cats = json.load(open(osp.join(SAMPLE, VAL_ANN)))['categories']
    img = dict(id=1, file_name='images/v/000000.jpg', is_labeled=True)
    if ignore:
        img.update(ignore_regions_x=[ignore[0]], ignore_regions_y=[ignore[1]])
    kp = np.zeros((17, 3))
    kp[0] = (*nose, 1)
    anns = [dict(id=1, image_id=1, category_id=1, bbox_head=[285, 80, 30, 40],
                 keypoints=kp.reshape(-1).tolist())]
    path = tmp_path / 'nose.json'
    path.write_text(json.dumps(dict(images=[img, *extra_images],
                                    annotations=anns, categories=cats)))
    out = []
    for img_id, xy, score in preds:
        k = np.zeros((17, 2))
        if xy is not None:
            k[0] = xy
        out.append((img_id, k, np.full(17, score), 1.0))
    return str(path), out


def test_metric_labelled_frame_without_prediction_does_not_crash(tmp_path):
    # frame 2 is labelled, has no person: dropped; frame 1 has no
    # prediction: its person is a miss
    ann, preds = nose_case(tmp_path, [], extra_images=[dict(
        id=2, file_name='images/v/000001.jpg', is_labeled=True)])
    res = run_metric(ann, preds)
    assert res['Mean'] == 0.0  # nose 0 of 1; 14 joints neither: 0


def test_metric_drops_frames_without_annotated_people(tmp_path):
    """poseval drops a labelled frame without people with its
    predictions: a confident prediction there is no false positive."""
    ann, preds = nose_case(
        tmp_path, [(1, (300, 100), 0.5), (2, (50, 50), 0.99)],
        extra_images=[dict(id=2, file_name='images/v/000001.jpg',
                           is_labeled=True)])
    res = run_metric(ann, preds)
    # nose: AP 100; the other 14 joints: no ground truth, no prediction: 0
    assert res['Mean'] == pytest.approx(100 / 15)
    assert res['Head'] == pytest.approx(100 / 3)


def test_metric_joint_at_origin_is_absent(tmp_path):
    """poseval's absent-joint convention: a nose at (0, 0) with the
    highest score is no false positive."""
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.5),
                                      (1, None, 0.99)])
    assert run_metric(ann, preds)['Mean'] == pytest.approx(100 / 15)


def test_metric_joint_predicted_but_never_annotated_is_nan(tmp_path):
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.5)])
    preds[0][1][1:] = 1000.0  # every other joint predicted somewhere
    res = run_metric(ann, preds)
    assert np.isnan(res['Head']) and np.isnan(res['Ankle'])
    assert res['Mean'] == pytest.approx(100)  # NaN joints skipped


def test_metric_pckh_tie_keeps_the_first_prediction(tmp_path):
    """Two exact predictions of one person: poseval's argmax keeps the
    first in file order (score .5, TP); the second (.8) is a false
    positive ranked first: AP 1/2 (not 1, as the higher score would
    give)."""
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.5),
                                      (1, (300, 100), 0.8)])
    assert run_metric(ann, preds)['Mean'] == pytest.approx(50 / 15)
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.8),
                                      (1, (300, 100), 0.5)])
    assert run_metric(ann, preds)['Mean'] == pytest.approx(100 / 15)


def test_metric_ignore_region_boundary_is_outside(tmp_path):
    """shapely's contains, as poseval: an annotated nose on the region's
    edge is kept, and so is a prediction there."""
    region = ([300, 400, 400, 300], [0, 0, 200, 200])
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.5)], ignore=region)
    assert run_metric(ann, preds)['Mean'] == pytest.approx(100 / 15)
    # strictly inside: ground truth and prediction both dropped
    ann, preds = nose_case(tmp_path, [(1, (301, 100), 0.5)],
                           nose=(301, 100), ignore=region)
    res = run_metric(ann, preds)
    assert res['Mean'] == 0.0


def test_metric_non_finite_predictions_are_absent(tmp_path):
    # a NaN score and an infinite coordinate: absent, not false positives
    # (and no NaN threshold that would decide the AP by order)
    ann, preds = nose_case(tmp_path, [(1, (300, 100), 0.5),
                                      (1, (300, 100), np.nan),
                                      (1, (np.inf, 100), 0.9)])
    assert run_metric(ann, preds)['Mean'] == pytest.approx(100 / 15)


@pytest.mark.parametrize('edit, error, words', [
    (lambda d: d['annotations'][0].pop('bbox_head'), KeyError,
     'no bbox_head'),
    (lambda d: d['annotations'][0].update(bbox_head=[285, 80, 0, 40]),
     ValueError, 'empty head box'),
    (lambda d: d['images'][0].update(ignore_regions_x=[[1, 2, 3]],
                                     ignore_regions_y=[]),
     ValueError, 'do not pair up'),
])
def test_metric_checks_ground_truth_before_inference(tmp_path, edit, error,
                                                     words):
    ann, _ = nose_case(tmp_path, [])
    data = json.load(open(ann))
    edit(data)
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(data))
    # raised when the metric is built, naming file, image and annotation
    with pytest.raises(error, match=rf'bad.json, image 1 .*{words}'):
        PoseTrackMAPMetric(ann_file=str(bad))


def test_metric_names_a_file_that_is_not_json(tmp_path):
    bad = tmp_path / 'notes.json'
    bad.write_text('not json')
    with pytest.raises(ValueError, match='notes.json is not a JSON file'):
        PoseTrackMAPMetric(ann_file=str(bad))


def test_joint_score_is_heatmap_max_times_box_score(tmp_path):
    ann, preds = handmade(tmp_path)
    # scaling every box score by the same factor keeps the ranking
    scaled = [(i, k, s, 0.5) for i, k, s, _ in preds]
    assert run_metric(ann, scaled) == pytest.approx(run_metric(ann, preds),
                                                    nan_ok=True)
    # a low box score moves the false positive below the true positives:
    # nose and left shoulder reach AP 1
    preds[2] = (1, preds[2][1], preds[2][2], 0.1)
    assert run_metric(ann, preds)['Mean'] == pytest.approx(200 / 3)
