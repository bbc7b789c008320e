"""PoseTrack's pose tracking MOTA as poseval computes it, on hand-made
cases whose expected values are derived by hand, one rule each; and the
evaluation tool on a PoseTrack18-format folder made from the sample."""
import copy
import re
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SAMPLE

from tdmi_mmpose.evaluation.functional import (evaluate_folder,
                                               pose_tracking_mota,
                                               read_predictions)

HEAD = 10.0  # head size: a joint matches within 0.5 x 10 = 5 px


def frame(gt=(), pr=()):
    """A frame of two joints: ``gt`` and ``pr`` are ``(track id, [joint 0
    position or None, joint 1 position or None])``."""
    def arrays(people):
        ids = np.asarray([p[0] for p in people], int)
        xy = np.asarray([[(0, 0) if q is None else q for q in p[1]]
                         for p in people], float).reshape(-1, 2, 2)
        has = np.asarray([[q is not None for q in p[1]] for p in people],
                         bool).reshape(-1, 2)
        return ids, xy, has
    gt_ids, gt_xy, gt_vis = arrays(gt)
    pr_ids, pr_xy, pr_has = arrays(pr)
    return dict(gt_ids=gt_ids, gt_joints=gt_xy, gt_visible=gt_vis,
                head_size=np.full(len(gt), HEAD), pr_ids=pr_ids,
                pr_joints=pr_xy, pr_present=pr_has)


A = (100.0, 100.0)
B = (200.0, 200.0)
LAST = frame([(1, [A, B])], [(99, [(900, 900), None])])  # never counted


def mota(sequences, **kwargs):
    return pose_tracking_mota(sequences, 2, **kwargs)


def test_a_switch():
    # frame 0: GT 1 matched by 7 (1 px away: distance 0.1 head sizes);
    # frame 1: the same place, predicted as 8: a switch for both joints.
    # objects 2, misses 0, false positives 0, switches 1, detections 2
    # MOTA = 100 (1 - 1/2) = 50; MOTP = 100 (1 - 0.2/2) = 90
    near = [(101.0, 100.0), (201.0, 200.0)]
    out = mota([[frame([(1, [A, B])], [(7, near)]),
                 frame([(1, [A, B])], [(8, near)]), LAST]])
    np.testing.assert_allclose(out['mota'], [50, 50])
    np.testing.assert_allclose(out['motp'], [90, 90])
    # poseval's printed MOTP sums motmetrics' whole event log: a candidate
    # pair (RAW, 0.1) in each frame, the MATCH, and frame 1's ASCEND and
    # SWITCH: 0.5 in all, 100 (1 - 0.5 / 2) = 75
    np.testing.assert_allclose(out['motp_poseval'], [75, 75])
    np.testing.assert_allclose(out['precision'], [100, 100])
    np.testing.assert_allclose(out['recall'], [100, 100])
    assert out['switches'].tolist() == [1, 1]
    assert out['total']['mota'] == 50 and out['total']['switches'] == 2


def test_a_miss_a_false_positive_and_an_unmatched_joint():
    # joint 0: 7 is 2 px away (0.2): a match; 9 far away: a false positive
    #   -> objects 1, detections 1, FP 1: MOTA 0, MOTP 80, precision 50
    # joint 1: 7 is 10 px away (1.0 > 0.5): no match -> a miss and a FP;
    #   MOTA = 100 (1 - 2/1) = -100, MOTP NaN (no detection: poseval's
    #   0/0), precision 0, recall 0
    out = mota([[frame([(1, [A, B])], [(7, [(102, 100), (210, 200)]),
                                        (9, [(500, 500), None])]), LAST]])
    np.testing.assert_allclose(out['mota'], [0, -100])
    np.testing.assert_allclose(out['motp'], [80, np.nan])  # 0/0
    np.testing.assert_allclose(out['precision'], [50, 0])
    np.testing.assert_allclose(out['recall'], [100, 0])
    assert out['total']['mota'] == -50  # the mean over joints


def test_a_frame_without_predictions_counts_a_dummy_per_joint():
    # frame 0 has no prediction: one miss and one FP for each joint, even
    # joint 1, which nobody has; frame 1: joint 0 matched.
    # joint 0: objects 2, misses 1, FP 1 -> MOTA = 100 (1 - 2/2) = 0
    # joint 1: objects 1, misses 1, FP 1 -> MOTA = 100 (1 - 2/1) = -100
    out = mota([[frame([(1, [A, None])]),
                 frame([(1, [A, None])], [(7, [A, None])]), LAST]])
    np.testing.assert_allclose(out['mota'], [0, -100])
    assert out['counts']['num_objects'].tolist() == [2, 1]


def test_the_last_frame_is_skipped_and_a_joint_without_objects_is_nan():
    # frame 0: joint 0 matched exactly (MOTA 100, MOTP 100); joint 1 has no
    # annotation and no prediction: no objects, MOTA NaN, left out of the
    # mean. The last frame's false positive counts only without the skip:
    # joint 0 then has objects 2, detections 2, FP 1: MOTA 50.
    seq = [frame([(1, [A, None])], [(7, [A, None])]),
           frame([(1, [A, None])], [(7, [A, None]), (8, [B, None])])]
    out = mota([seq])
    assert out['mota'][0] == 100 and np.isnan(out['mota'][1])
    assert out['total']['mota'] == 100
    assert mota([seq], skip_last=False)['mota'][0] == 50


def test_counts_are_summed_over_sequences():
    # the switch case (objects 2, switches 1, detections 2) and an exact
    # match (objects 1, detections 1) in two sequences: joint 0 has
    # objects 3, switches 1 -> MOTA = 100 (1 - 1/3); a switch is not
    # carried from one sequence into the next (7 becomes 8 there too).
    near = [(101.0, 100.0), (201.0, 200.0)]
    switch = [frame([(1, [A, B])], [(7, near)]),
              frame([(1, [A, B])], [(8, near)]), LAST]
    exact = [frame([(1, [A, B])], [(7, [A, B])]), LAST]
    out = mota([switch, exact])
    np.testing.assert_allclose(out['mota'], [100 * (1 - 1 / 3)] * 2)
    assert out['switches'].tolist() == [1, 1]


def sample_folder(tmp_path):
    """A ground-truth folder of one video of three labelled frames (the
    sample's first image, its annotations repeated) and predictions that
    are the ground truth with its track ids."""
    data = json.load(open(osp.join(SAMPLE, 'annotations',
                                   'test_posetrack18_val.json')))
    first = data['images'][0]
    images, anns = [], []
    for t in range(3):
        image = dict(first, id=first['id'] + t, frame_id=first['id'] + t,
                     file_name=first['file_name'].replace(
                         '000000', f'{t:06d}'))
        images.append(image)
        anns += [dict(a, image_id=image['id'], id=a['id'] * 10 + t)
                 for a in data['annotations'] if a['image_id'] ==
                 first['id']]
    gt = dict(images=images, annotations=anns,
              categories=data['categories'])
    pred = copy.deepcopy(gt)
    for ann in pred['annotations']:
        k = np.asarray(ann['keypoints'], float).reshape(-1, 3)
        absent = k[:, 2] == 0
        k[:, 2] = 1
        k[absent] = 0  # unannotated: absent, x = y = score = 0 (poseval)
        ann['keypoints'] = k.reshape(-1).tolist()
        ann['scores'] = k[:, 2].tolist()
    for folder, content in (('gt', gt), ('pred', pred)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / '012834_mpii_test.json').write_text(
            json.dumps(content))
    return gt, pred


def test_the_tool_on_a_posetrack18_folder(tmp_path):
    gt, pred = sample_folder(tmp_path)
    out = subprocess.run(
        [sys.executable, 'tools/analysis/posetrack_eval.py',
         str(tmp_path / 'gt'), str(tmp_path / 'pred'), '--out',
         str(tmp_path / 'res.json')], cwd=ROOT, capture_output=True,
        text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads((tmp_path / 'res.json').read_text())
    assert res['AP']['Total'] == 100 and res['MOTA']['Total'] == 100
    assert res['HOTA']['Total'] == 100
    assert 'MOTA' in out.stdout and 'identity switches: 0' in out.stdout
    # frame 1 with the ids of two people swapped: both switch, and switch
    # back in frame 2 (skipped, the last): MOTA < 100, AP unchanged
    first = [a for a in pred['annotations']
             if a['image_id'] == gt['images'][1]['id']]
    first[0]['track_id'], first[1]['track_id'] = (first[1]['track_id'],
                                                  first[0]['track_id'])
    (tmp_path / 'pred' / '012834_mpii_test.json').write_text(
        json.dumps(pred))
    res = evaluate_folder(str(tmp_path / 'gt'), str(tmp_path / 'pred'))
    assert res['map']['Mean'] == 100
    assert res['mota']['total']['switches'] > 0
    assert res['mota']['total']['mota'] < 100


@pytest.mark.parametrize('change, words', [
    (lambda p: p['annotations'][1].update(
        track_id=p['annotations'][0]['track_id']),
     'track_id 0 is given to two people of this frame'),
    (lambda p: p['annotations'][0].pop('track_id'), 'no track_id'),
    (lambda p: p['annotations'][0].update(track_id=-1),
     'track_id -1 must be an integer 0 ... 9999'),
    (lambda p: p['annotations'][0].update(track_id=10000),
     'track_id 10000 must be'),
    (lambda p: p['annotations'][0].update(keypoints=[1, 2, 3]),
     'keypoints must be 51 numbers'),
    (lambda p: p['images'].pop(), 'has 2 frames, .* has 3'),
    (lambda p: p['images'][1].update(file_name='other/000001.jpg'),
     'differ from frame 1 on .other/000001.jpg'),
])
def test_bad_prediction_files_are_named(tmp_path, change, words):
    gt, pred = sample_folder(tmp_path)
    change(pred)
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(pred))
    with pytest.raises(ValueError, match=words) as err:
        read_predictions(str(path), gt, 'gt.json')
    assert 'bad.json' in str(err.value)


def test_a_video_without_prediction_file(tmp_path):
    sample_folder(tmp_path)
    (tmp_path / 'pred' / '012834_mpii_test.json').unlink()
    out = subprocess.run(
        [sys.executable, 'tools/analysis/posetrack_eval.py',
         str(tmp_path / 'gt'), str(tmp_path / 'pred')], cwd=ROOT,
        capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].startswith(
        'posetrack_eval: ground-truth video')
    assert 'has no prediction file' in out.stderr


def test_the_registered_metric_takes_the_video_pipelines_track_ids(
        tmp_path):
    from mmpose.registry import METRICS
    gt, pred = sample_folder(tmp_path)
    metric = METRICS.build(dict(
        type='PoseTrackMOTAMetric',
        ann_file=str(tmp_path / 'gt' / '012834_mpii_test.json')))
    samples = []
    for image in gt['images']:
        people = [a for a in pred['annotations']
                  if a['image_id'] == image['id']]
        kpts = np.asarray([a['keypoints'] for a in people]).reshape(
            len(people), -1, 3)
        samples.append(dict(img_id=image['id'], pred_instances=dict(
            keypoints=kpts[..., :2], keypoint_scores=kpts[..., 2],
            track_ids=np.asarray([a['track_id'] for a in people]))))
    metric.process({}, samples)
    out = metric.compute_metrics(metric.results)
    assert out['MOTA'] == 100 and out['Switches'] == 0
    assert out['MOTA/Head'] == 100
    hota = METRICS.build(dict(
        type='PoseTrackHOTAMetric',
        ann_file=str(tmp_path / 'gt' / '012834_mpii_test.json')))
    hota.process({}, samples)
    out = hota.compute_metrics(hota.results)
    assert out['HOTA'] == 100 and out['AssA'] == 100
    assert out['FA-HOTA'] == 100 and out['FragA'] == 100
    del samples[0]['pred_instances']['track_ids']
    with pytest.raises(ValueError, match='no track_ids; MOTA measures'):
        metric.process({}, samples)
    # ids that would score silently wrong: refused, naming the image
    pred = samples[1]['pred_instances']
    n = len(pred['keypoints'])
    assert n >= 2
    for ids, words in ((np.full(n, -1), 'track id -1 is given to'),
                       (pred['track_ids'][:-1], f'{n} people but {n - 1}'),
                       (np.array([np.nan] + [1] * (n - 1)), 'not a whole'),
                       (np.array(['a'] * n), 'not a whole number')):
        bad = [dict(samples[1], pred_instances=dict(pred, track_ids=ids))]
        with pytest.raises(ValueError, match=words):
            hota.process({}, bad)


def test_keypoint_hota_by_hand():
    from tdmi_mmpose.evaluation.functional.keypoint_hota import \
        keypoint_hota
    # exact on every frame, one id: DetA = AssA = HOTA = 1 at every alpha
    exact = [frame([(1, [A, B])], [(7, [A, B])])] * 2
    out = keypoint_hota([exact], 2)
    np.testing.assert_allclose(out['HOTA'], [1, 1])
    # the id changes from 7 to 8: each id matches one of the two frames,
    # A(gt, 7) = 1 / (2 + 1 - 1) = 0.5, so AssA = 0.5, DetA = 1 and
    # HOTA = sqrt(0.5) at every alpha
    switch = [frame([(1, [A, B])], [(7, [A, B])]),
              frame([(1, [A, B])], [(8, [A, B])])]
    out = keypoint_hota([switch], 2)
    np.testing.assert_allclose(out['AssA'], [0.5, 0.5])
    np.testing.assert_allclose(out['HOTA'], [0.5**0.5] * 2)
    # joint 0 off by d = 0.48 x 0.5001 head sizes: similarity 0.52, a
    # match at the 10 alphas 0.05 ... 0.50 of 19 (HOTA 1) and none above
    # (DetA 0): HOTA = 10 / 19; LocA 0.52 where matched and, as TrackEval
    # has it, 1 where nothing is
    off = (100 + 0.48 * 0.5001 * HEAD, 100.0)
    out = keypoint_hota([[frame([(1, [A, B])], [(7, [off, B])])]], 2)
    np.testing.assert_allclose(out['HOTA'], [10 / 19, 1])
    np.testing.assert_allclose(out['LocA'][0], (10 * 0.52 + 9) / 19)
    # an id that comes back (7, 8, 7 on three frames): AssA =
    # (2^2 / (3 + 2 - 2) + 1^2 / (3 + 1 - 1)) / 3 = 5/9; three fragments of
    # one match each: FragA = (1/3 + 1/3 + 1/3) / 3 = 1/3, so FA-HOTA =
    # sqrt(1 x sqrt(5/9 x 1/3)); for the 7 -> 8 switch above FragA = AssA
    back = [frame([(1, [A, B])], [(i, [A, B])]) for i in (7, 8, 7)]
    out = keypoint_hota([back], 2)
    np.testing.assert_allclose(out['AssA'], [5 / 9] * 2)
    np.testing.assert_allclose(out['FragA'], [1 / 3] * 2)
    np.testing.assert_allclose(out['FA-HOTA'], [(5 / 27)**0.25] * 2)
    np.testing.assert_allclose(keypoint_hota([switch], 2)['FA-HOTA'],
                               [0.5**0.5] * 2)
    # a false positive person: DetA = 1 / 2 at every alpha, AssA 1
    fp = [frame([(1, [A, B])], [(7, [A, B]), (9, [(500, 500), (600, 600)])])]
    np.testing.assert_allclose(keypoint_hota([fp], 2)['DetA'], [0.5, 0.5])


def test_mmposes_greedy_matching_keeps_ids_and_starts_new_ones():
    from tdmi_mmpose.apis.inferencers.utils.person_tracker import greedy_track

    def person(x, y=0.0):
        kpts = np.stack([np.linspace(x, x + 20, 17),
                         np.linspace(y, y + 60, 17)], 1)
        return dict(keypoints=kpts, keypoint_scores=np.ones(17),
                    bbox=[x, y, x + 20, y + 60])
    # two people walking right; a third appears in frame 2 far away
    frames = [[person(0), person(100)], [person(104), person(3)],
              [person(6), person(108), person(300)]]
    for method in ('iou', 'oks'):
        ids = greedy_track(frames, method, thr=0.3)
        assert ids == [[0, 1], [1, 0], [0, 1, 2]], (method, ids)
    with pytest.raises(ValueError, match="'iou' or 'oks'"):
        greedy_track(frames, 'hungarian')


def test_the_tracking_measurement_on_ground_truth_poses(tmp_path):
    """The comparison's measurement (MOTA, HOTA, switches per track, mAP)
    of the ground truth itself, with its own ids: every figure perfect."""
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    from tdmi_mmpose.experiments.pose_tracking import measure
    from tdmi_mmpose.experiments.video_eval import val_videos
    root = str(tmp_path / 'data') + '/'
    generate_synthetic_videos(root, logger=lambda m: None, seed=0,
                              num_train_videos=1, num_val_videos=2,
                              num_frames=8)
    videos, data = val_videos(root)
    poses, ids = {}, {}
    for video, images in videos.items():
        poses[video], ids[video] = [], []
        for im in images:
            anns = [a for a in data['annotations'] if a['image_id'] ==
                    im['id']]
            people = []
            for a in anns:
                k = np.asarray(a['keypoints'], float).reshape(-1, 3)
                x, y, w, h = a['bbox']
                people.append(dict(keypoints=k[:, :2],
                                   keypoint_scores=(k[:, 2] > 0) * 1.0,
                                   bbox=[x, y, x + w, y + h], bbox_score=1))
            poses[video].append(people)
            ids[video].append([a['track_id'] for a in anns])
    out = measure(poses, ids, root, None)
    assert out['MOTA'] == 100 and out['HOTA'] == 100 and out['mAP'] == 100
    assert out['switches_per_track'] == 0


def test_the_smoothing_filters():
    from tdmi_mmpose.apis.inferencers import (OneEuroFilter, TrackSmoother,
                                              WindowFilter)
    rng = np.random.default_rng(0)
    line = [np.full((17, 2), 10.0 + 2 * t) for t in range(12)]  # uniform
    noisy = [x + rng.normal(0, 1, x.shape) for x in line]
    for make in (lambda: OneEuroFilter(fps=25),
                 lambda: WindowFilter('savgol', window=7, order=2),
                 lambda: WindowFilter('gaussian', window=7, sigma=2)):
        const = make()
        assert all(np.allclose(const(np.full((17, 2), 5.0)), 5.0)
                   for _ in range(5))  # a still joint stays where it is
        f = make()
        out = np.array([f(x) for x in noisy])
        truth = np.array(line)
        # less jitter: the acceleration of the output is smaller
        assert np.abs(np.diff(out[3:], 2, axis=0)).mean() < np.abs(
            np.diff(np.array(noisy)[3:], 2, axis=0)).mean()
        assert np.abs(out - truth).mean() < 3  # and it follows the motion
    savgol = WindowFilter('savgol', window=7, order=2)
    np.testing.assert_allclose([savgol(x) for x in line][-1], line[-1])
    smoother = TrackSmoother('one_euro')
    a = smoother(np.zeros((2, 17, 2)), [3, -1])
    b = smoother(np.full((2, 17, 2), 10.0), [3, -1])
    assert 0 < b[0, 0, 0] < 10 and b[1, 0, 0] == 10  # -1: untouched
    with pytest.raises(ValueError, match="smoother 'kalman'"):
        TrackSmoother('kalman')
    assert a.shape == (2, 17, 2)


def test_the_inferencer_smooths_tracks_online():
    from conftest import TINY_CFG

    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.inferencers import bytetrack
    frames = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
              for i in range(5)]
    boxes = [np.array([[400 + 6 * t, 100, 700 + 6 * t, 600, 0.9]])
             for t in range(5)]
    runs = {}
    for smoother in (None, 'savgol'):
        inf = VideoPoseInferencer(TINY_CFG, device='cpu',
                                  tracker=bytetrack(0.5),
                                  det_model='whole_image', smoother=smoother)
        if smoother:
            inf.model.load_state_dict(runs[None][1])
        runs[smoother] = ([np.asarray(r['predictions'][0][0]['keypoints'])
                           for r in inf(frames, bboxes=boxes)],
                          inf.model.state_dict())
    plain, smooth = runs[None][0], runs['savgol'][0]
    np.testing.assert_allclose(smooth[0], plain[0])  # nothing before it
    assert not np.allclose(smooth[4], plain[4])
    with pytest.raises(ValueError, match='smoother'):
        VideoPoseInferencer(TINY_CFG, device='cpu', det_model='whole_image',
                            smoother='kalman')


@pytest.mark.parametrize('spec, words', [
    ('gaussian:sigma=0', 'sigma must be a number > 0'),
    ('savgol:window=3,order=5', 'order 5 must be below the window'),
    ('gaussian:forget=-1', 'forget must be a number >= 0'),
    ('savgol:window=0', 'window must be a number > 1'),
    ('one_euro:fps=0', 'fps must be a number > 0'),
    ('one_euro:fps', 'write parameters as name=number'),
    ('one_euro:speed=2', "unexpected keyword argument 'speed'"),
])
def test_smoother_parameters_are_checked_when_built(spec, words):
    """Parameters that would give NaN, change nothing or fail mid-run are
    refused at construction, naming the parameter."""
    from tdmi_mmpose.apis.inferencers import TrackSmoother
    from tdmi_mmpose.apis.inferencers.utils.smoothing import smoother_config
    with pytest.raises(ValueError, match=re.escape(words)):
        cfg = smoother_config(spec)
        TrackSmoother(cfg.pop('type'), **cfg)


def test_smoother_parameters_from_the_command_line_take_effect():
    from tdmi_mmpose.apis.inferencers import TrackSmoother
    from tdmi_mmpose.apis.inferencers.utils.smoothing import smoother_config
    cfg = smoother_config('gaussian:sigma=0.5,window=3')
    assert cfg == dict(type='gaussian', sigma=0.5, window=3)
    rng = np.random.default_rng(0)
    track = rng.normal(size=(6, 1, 17, 2)).cumsum(0)
    out = {}
    for sigma in (0.5, 4.0):
        smoother = TrackSmoother('gaussian', sigma=sigma, window=3)
        out[sigma] = np.stack([smoother(f, [0]) for f in track])
    assert not np.allclose(out[0.5], out[4.0])
    assert np.isfinite(out[0.5]).all()


@pytest.mark.parametrize('change, words', [
    (lambda g: g.update(anotations=g.pop('annotations')),
     'has no "annotations" .its keys: anotations, categories, images'),
    (lambda g: g.update(annotations={'0': g['annotations'][0]}),
     '"annotations" must be a list of objects, not a dict'),
    (lambda g: g['images'][1].pop('id'), 'image 1 .* has no "id"'),
    (lambda g: [im.update(is_labeled=False) for im in g['images']],
     'no image of any video is labelled'),
])
def test_posetrack_eval_names_ground_truth_it_cannot_score(tmp_path, change,
                                                           words):
    """Ground truth that gave AP 0.0 / MOTA -100 or nan without a word, or
    a raw AttributeError: one line saying why there is nothing to score."""
    gt, _ = sample_folder(tmp_path)
    change(gt)
    (tmp_path / 'gt' / '012834_mpii_test.json').write_text(json.dumps(gt))
    out = subprocess.run(
        [sys.executable, 'tools/analysis/posetrack_eval.py',
         str(tmp_path / 'gt'), str(tmp_path / 'pred')], cwd=ROOT, text=True,
        capture_output=True, timeout=300)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith('posetrack_eval: ') and re.search(words, last), \
        out.stderr[-1000:]


def test_posetrack_eval_says_why_mota_is_empty_with_one_labelled_frame(
        tmp_path):
    gt, _ = sample_folder(tmp_path)
    for image in gt['images'][1:]:
        image['is_labeled'] = False
    gt['annotations'] = [a for a in gt['annotations']
                         if a['image_id'] == gt['images'][0]['id']]
    (tmp_path / 'gt' / '012834_mpii_test.json').write_text(json.dumps(gt))
    out = subprocess.run(
        [sys.executable, 'tools/analysis/posetrack_eval.py',
         str(tmp_path / 'gt'), str(tmp_path / 'pred')], cwd=ROOT, text=True,
        capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'no video has two' in out.stdout and '--no-skip-last' in out.stdout


def gt_frame(people, k=2):
    """The ground truth of one labelled image as :func:`tracking_sequence`
    takes it: ``people`` as ``(track id, [(x, y) or None] * k)``."""
    return dict(
        joints=np.asarray([[q or (0, 0) for q in p[1]] for p in people],
                          float).reshape(-1, k, 2),
        visible=np.asarray([[q is not None for q in p[1]] for p in people],
                           bool).reshape(-1, k),
        head_size=np.full(len(people), HEAD),
        track_ids=np.asarray([p[0] for p in people]), ignore=[])


def test_poseval_cases_of_absent_joints_and_empty_ratios():
    """Hand-derived, as poseval counts them (2 joints, no skip of the last
    frame):

    - frame 0: the only predicted person has no joint (all x = y = score =
      0): poseval keeps it, so each annotated joint is a miss and there is
      no false positive (not the dummy miss and false positive of a frame
      without predictions): joint 0 and 1 each objects 1, misses 1;
    - frame 1: joint 0 predicted at (0, 0) with a score: a false positive
      there (absent only when x = y = score = 0); joint 1 matched exactly.

    Joint 0: objects 2, misses 2, FP 1, no detection -> MOTA -50, MOTP
    NaN (0/0), precision 0 / (0 + 1) = 0, recall 0; joint 1: objects 2,
    misses 1, detections 1 -> MOTA 50, MOTP 100, precision 100, recall
    50."""
    from tdmi_mmpose.evaluation.functional import tracking_sequence
    gt = {1: gt_frame([(1, [A, B])]), 2: gt_frame([(1, [A, B])])}
    images = [dict(id=1), dict(id=2)]
    people = {
        1: [dict(track_id=7, keypoints=np.zeros((2, 2)),
                 scores=np.zeros(2))],
        2: [dict(track_id=7, keypoints=np.array([(0.0, 0.0), B]),
                 scores=np.array([0.9, 0.9]))]}
    seq = tracking_sequence(gt, images, people, np.arange(2))
    out = mota([seq], skip_last=False)
    assert out['counts']['num_false_positives'].tolist() == [1, 0]
    assert out['counts']['num_misses'].tolist() == [2, 1]
    np.testing.assert_allclose(out['mota'], [-50, 50])
    np.testing.assert_allclose(out['precision'], [0, 100])
    np.testing.assert_allclose(out['recall'], [0, 50])
    assert np.isnan(out['motp'][0]) and out['motp'][1] == 100


def test_a_joint_never_annotated_nor_predicted_is_left_out_of_the_totals():
    # joint 1 (a nose never annotated, never predicted): objects 0,
    # detections 0, FP 0 -> precision and recall 0/0 = NaN, left out of
    # the means: the totals are joint 0's
    seq = [frame([(1, [A, None])], [(7, [A, None])])]
    out = mota([seq], skip_last=False)
    assert np.isnan(out['precision'][1]) and np.isnan(out['recall'][1])
    assert out['total']['precision'] == 100 and out['total']['recall'] == 100


def test_the_hota_total_pools_the_joints_as_the_kit_does():
    """Joint 0 matched exactly on two frames (TP 2 at every alpha, AssA 1),
    joint 1 annotated on both frames but predicted on neither (FN 2, TP 0).
    Pooled as the PoseTrack21 kit's Total: DetA = 2 / (2 + 2) = 0.5, AssA =
    (1 x 2 + 0 x 0) / 2 = 1, HOTA = sqrt(0.5); the mean over the joints
    would be HOTA (1 + 0) / 2 = 0.5."""
    from tdmi_mmpose.evaluation.functional.keypoint_hota import \
        keypoint_hota
    seq = [frame([(1, [A, B])], [(7, [A, None])])] * 2
    out = keypoint_hota([seq], 2)
    np.testing.assert_allclose(out['HOTA'], [1, 0])
    assert out['total']['DetA'] == pytest.approx(0.5)
    assert out['total']['AssA'] == pytest.approx(1)
    assert out['total']['HOTA'] == pytest.approx(0.5**0.5)
    assert out['joint_mean']['HOTA'] == pytest.approx(0.5)


def test_hota_ignores_predictions_off_the_top_left_as_the_kit_does():
    """The kit counts a predicted joint only where x > 0 and y > 0: a
    predicted joint at x = -3 (off the image's left edge) is ignored there,
    a false positive with ``positive_only=False``."""
    from tdmi_mmpose.evaluation.functional.keypoint_hota import \
        keypoint_hota
    seq = [frame([(1, [A, None])], [(7, [A, (-3.0, 50.0)])])]
    kit = keypoint_hota([seq], 2)
    assert kit['DetA'][1] == 0 and kit['HOTA'][0] == 1
    assert kit['total']['DetA'] == pytest.approx(1.0)  # nothing else
    plain = keypoint_hota([seq], 2, positive_only=False)
    assert plain['total']['DetA'] == pytest.approx(0.5)  # 1 TP, 1 FP


def posetrack18_gt(people_per_frame, regions=None):
    """PoseTrack18-format ground truth of 17 joints: per frame, people as
    ``(track id, keypoints (17, 3) or None for a box-only person)``; every
    frame labelled, head boxes 10 x 10 (``None`` people have none)."""
    images, anns = [], []
    for i, people in enumerate(people_per_frame):
        image = dict(id=i + 1, file_name=f'v/{i:06d}.jpg', is_labeled=True)
        if regions and i in regions:
            xs, ys = regions[i]
            image.update(ignore_regions_x=[xs], ignore_regions_y=[ys])
        images.append(image)
        for tid, kpts in people:
            ann = dict(id=len(anns), image_id=i + 1, track_id=tid,
                       bbox=[0, 0, 100, 100], keypoints=[0] * 51)
            if kpts is not None:
                ann.update(keypoints=np.asarray(kpts, float).ravel().tolist(),
                           bbox_head=[0, 0, 10, 10])
            anns.append(ann)
    return dict(images=images, annotations=anns,
                categories=[dict(id=1, name='person',
                                 keypoints=[str(j) for j in range(17)])])


def test_box_only_people_and_invisible_joints_with_coordinates_count():
    """As poseval converts PoseTrack18 files (issue: ground truth dropped
    here before):

    - a joint annotated with visibility 0 but coordinates counts (poseval
      drops only (0, 0, 0)): a prediction on it is a true positive, AP 100
      for that joint instead of NaN (no ground truth);
    - a frame whose only person is box-only (PoseTrack21) stays: a
      prediction there (score 0.9) is a false positive before the true
      positive of the other frame (score 0.5): AP 50 instead of 100;
      for MOTA it is a frame with people, not poseval's dummy: FP 1 per
      predicted joint, no dummy miss;
    - in a frame with ignore regions poseval drops people left without
      joints: the box-only person goes, the frame stays without people,
      its predictions false positives and MOTA's dummy applies.
    """
    from tdmi_mmpose.evaluation.functional import (parse_ground_truth,
                                                   posetrack_ap,
                                                   tracking_sequence)
    kpts = np.stack([10 + 5 * np.arange(17), 20 + 3 * np.arange(17),
                     np.full(17, 2.0)], 1)
    kpts[0, 2] = 0  # the nose: visibility 0, coordinates given
    data = posetrack18_gt([[(1, kpts)], [(2, None)]])
    frames, _ = parse_ground_truth(data, 'gt.json')
    assert sorted(frames) == [1, 2] and frames[1]['visible'][0, 0]
    assert frames[2]['joints'].shape == (1, 17, 2)
    assert not frames[2]['visible'].any()
    exact = (kpts[None, :, :2], np.full((1, 17), 0.5))
    ap, _ = posetrack_ap(frames, {1: exact})
    assert ap[0] == 100 and all(v == 100 for v in ap.values())
    ap, _ = posetrack_ap(frames, {1: exact, 2: (kpts[None, :, :2] + 3,
                                                np.full((1, 17), 0.9))})
    assert ap[0] == pytest.approx(50)
    people = {1: [dict(track_id=1, keypoints=kpts[:, :2],
                       scores=np.ones(17))],
              2: [dict(track_id=1, keypoints=kpts[:, :2] + 3,
                       scores=np.ones(17))]}
    seq = tracking_sequence(frames, data['images'], people, np.arange(17))
    out = pose_tracking_mota([seq], 17, skip_last=False)
    assert out['counts']['num_false_positives'].tolist() == [1] * 17
    assert out['counts']['num_misses'].tolist() == [0] * 17
    assert out['counts']['num_objects'].tolist() == [1] * 17
    # the box-only person in a frame with an ignore region: dropped, the
    # frame stays without people (MOTA's dummy: a miss and an FP a joint)
    data = posetrack18_gt([[(1, kpts)], [(2, None)]],
                          regions={1: ([500, 600, 600], [500, 500, 600])})
    frames, _ = parse_ground_truth(data, 'gt.json')
    assert sorted(frames) == [1, 2] and frames[2]['joints'].shape[0] == 0
    ap, _ = posetrack_ap(frames, {1: exact, 2: (kpts[None, :, :2] + 3,
                                                np.full((1, 17), 0.9))})
    assert ap[0] == pytest.approx(50)
    seq = tracking_sequence(frames, data['images'], people, np.arange(17))
    out = pose_tracking_mota([seq], 17, skip_last=False)
    assert out['counts']['num_misses'].tolist() == [1] * 17
    assert out['counts']['num_objects'].tolist() == [2] * 17
