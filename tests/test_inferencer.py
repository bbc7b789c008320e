"""Video inference as mmpose users run it: the inferencer (detector,
tracker, TDMI) and demo/video_demo.py, on the real demo video and on
built-in videos."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import mmcv
import mmdet
import numpy as np
import pytest
import torch
from conftest import DATA, ROOT, SAMPLE, TINY_CFG

from tdmi_mmpose.apis import VideoPoseInferencer, inference_video_topdown

FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]
BOXES = np.array([[400, 100, 700, 600, 0.9], [0, 0, 200, 300, 0.95]])
RTMDET = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'rtmdet',
                  'rtmdet_tiny_8xb32-300e_coco.py')


@pytest.fixture(scope='module')
def inferencer():
    torch.manual_seed(0)  # per clip: the reference of the reuse tests
    return VideoPoseInferencer(TINY_CFG, device='cpu', reuse_features=False,
                               det_model='whole_image')


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory, inferencer):
    path = tmp_path_factory.mktemp('ckpt') / 'tiny_random.pth'
    torch.save(dict(state_dict=inferencer.model.state_dict()), path)
    return str(path)


def test_video_demo_on_the_real_video(tmp_path, checkpoint):
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps([
        dict(image_id=i, bbox=[300 + 5 * i, 50, 300, 450], score=0.9)
        for i in range(5)]))
    proc = subprocess.run(
        [sys.executable, 'demo/video_demo.py', osp.join(DATA, 'demo.mp4'),
         TINY_CFG, checkpoint, '--bboxes', str(boxes), '--out-dir',
         str(tmp_path / 'out'), '--save-bboxes', str(tmp_path / 'saved.json'),
         '--posetrack-out', str(tmp_path / 'demo.json')],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the PoseTrack18 prediction file, as the evaluation reads it
    from tdmi_mmpose.evaluation.functional import read_predictions
    written = json.loads((tmp_path / 'demo.json').read_text())
    people = read_predictions(str(tmp_path / 'demo.json'), written, 'it')
    assert [len(p) for p in people.values()] == [1] * 5
    assert written['images'][0]['file_name'] == 'demo/000000.jpg'
    assert written['categories'][0]['keypoints'][1] == 'head_bottom'
    # --save-bboxes writes the --bboxes format: the same boxes read back
    from tdmi_mmpose.utils.boxes import boxes_from_json
    for given, saved in zip(boxes_from_json(str(boxes)),
                            boxes_from_json(str(tmp_path / 'saved.json'))):
        np.testing.assert_allclose(saved, given, rtol=1e-6)
    assert '5 frames in' in proc.stdout and 'frames/s' in proc.stdout
    assert '[video_demo] device: cpu' in proc.stdout  # no GPU here
    video = cv2.VideoCapture(str(tmp_path / 'out' / 'demo.mp4'))
    assert video.get(cv2.CAP_PROP_FRAME_COUNT) == 5
    preds = json.load(open(tmp_path / 'out' / 'demo.json'))
    assert [p['frame_id'] for p in preds] == list(range(5))
    assert all(len(p['instances']) == 1 for p in preds)
    assert set(preds[0]['instances'][0]) >= {'keypoints', 'keypoint_scores',
                                             'bbox', 'bbox_score',
                                             'track_id'}
    # the fast setting: --no-flip runs, on the boxes the first run saved
    fast = subprocess.run(
        [sys.executable, 'demo/video_demo.py', osp.join(DATA, 'demo.mp4'),
         TINY_CFG, checkpoint, '--bboxes', str(tmp_path / 'saved.json'),
         '--no-flip',
         '--out-dir', str(tmp_path / 'fast')], cwd=ROOT,
        capture_output=True, text=True, timeout=600)
    assert fast.returncode == 0, fast.stderr[-3000:]
    fast_preds = json.load(open(tmp_path / 'fast' / 'demo.json'))
    assert len(fast_preds) == 5
    assert fast_preds[0]['instances'][0]['keypoints'] != \
        preds[0]['instances'][0]['keypoints']
    assert [p['instances'][0]['bbox'] for p in fast_preds] == [
        p['instances'][0]['bbox'] for p in preds]
    # the saved boxes name their video: another video refuses them
    other = str(tmp_path / 'other.mp4')
    reader = mmcv.VideoReader(osp.join(DATA, 'demo.mp4'))
    writer = cv2.VideoWriter(other, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (reader.width, reader.height))
    for image in (reader[0], reader[1]):
        writer.write(image)
    writer.release()
    inf = VideoPoseInferencer(TINY_CFG, checkpoint, device='cpu',
                              det_model='whole_image')
    with pytest.raises(ValueError, match=r'saved.json was written for video '
                       r'demo.mp4 \(5 frames\), not for other.mp4 \(2 '
                       r'frames\)'):
        list(inf(other, bboxes=str(tmp_path / 'saved.json')))


@pytest.mark.parametrize('args, words', [
    (['not_here.mp4', TINY_CFG, 'x.pth'], 'video not_here.mp4 does not'),
    ([osp.join(DATA, 'demo.mp4'), TINY_CFG, 'missing.pth'],
     'pose checkpoint missing.pth does not exist'),
    ([osp.join(DATA, 'README.md'), TINY_CFG, osp.join(DATA, 'README.md')],
     'holds no readable frame'),
    ([osp.join(DATA, 'demo.mp4'),
      'configs/tdmi/synthetic/hrnet-w8_synthetic-videos-128x96_single-frame'
      '.py', osp.join(DATA, 'README.md')], 'is not a video pose model'),
    ([osp.join(DATA, 'demo.mp4'), TINY_CFG,
      'td-hm_hrnet-w48_8xb64-20e_posetrak18-384x288', '--warm-start'],
     'closest names: td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288'),
])
def test_video_demo_errors(args, words):
    proc = subprocess.run([sys.executable, 'demo/video_demo.py', *args],
                          cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0 and words in proc.stderr, proc.stderr[-2000:]


def test_same_keypoints_as_clip_inference(inferencer):
    results = list(inferencer(FRAMES, bboxes=[BOXES] * 5))
    assert len(results) == 5
    for t, result in enumerate(results):
        clip = [FRAMES[min(max(t + o, 0), 4)] for o in range(-2, 3)]
        expected = inference_video_topdown(inferencer.model, clip, BOXES)
        got = result['predictions'][0]
        assert len(got) == 2
        by_score = {round(p['bbox_score'], 2): p for p in got}
        for e in expected:
            score = round(float(e.pred_instances.bbox_scores[0]), 2)
            np.testing.assert_allclose(by_score[score]['keypoints'],
                                       e.pred_instances.keypoints[0],
                                       atol=1e-3)


def test_pose_based_nms_drops_a_duplicate_person():
    """mmpose's ``pose_based_nms``: the same person given twice (the same
    box, another score) is one person with it, two without (no tracker,
    which would merge the two boxes itself)."""
    torch.manual_seed(0)
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', tracker=None,
                              det_model='whole_image')
    twice = np.array([[400, 100, 700, 600, 0.9], [400, 100, 700, 600, 0.6],
                      [0, 0, 200, 300, 0.95]])
    plain = list(inf(FRAMES[:3], bboxes=[twice] * 3))
    nms = list(inf(FRAMES[:3], bboxes=[twice] * 3, pose_based_nms=True))
    for without, with_nms in zip(plain, nms):
        assert len(without['predictions'][0]) == 3
        assert sorted(round(p['bbox_score'], 2) for p in
                      with_nms['predictions'][0]) == [0.9, 0.95]
    with pytest.raises(ValueError, match='merge_results=False'):
        list(inf(FRAMES[:3], bboxes=[twice] * 3, merge_results=False))


def test_zero_detections_give_empty_frames():
    """A real, randomly initialised mmdet RTMDet-tiny finds nobody."""
    torch.manual_seed(0)
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', det_model=RTMDET)
    results = list(inf(FRAMES[:3]))
    assert [r['predictions'][0] for r in results] == [[], [], []]


def test_one_frame_video(inferencer):
    (result, ) = list(inferencer(FRAMES[2:3], bboxes=[BOXES]))
    assert len(result['predictions'][0]) == 2


def test_online_mode_reads_no_future_frame(inferencer):
    reads = []

    def stream():
        for i, f in enumerate(FRAMES):
            reads.append(i)
            yield cv2.imread(f)

    for t, result in enumerate(inferencer(stream(), bboxes=[BOXES] * 5,
                                          online=True)):
        assert max(reads) == t  # frame t's result before frame t+1 is read
        assert len(result['predictions'][0]) == 2
    # offline, frame t needs frame t+2
    reads.clear()
    for t, _ in enumerate(inferencer(stream(), bboxes=[BOXES] * 5)):
        assert max(reads) == min(t + 2, 4)


def test_tracks_keep_their_ids_on_a_built_in_video(tmp_path, inferencer):
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    root = str(tmp_path / 'syn')
    generate_synthetic_videos(root, logger=lambda m: None, seed=3,
                              num_train_videos=0, num_val_videos=2,
                              num_frames=12, label_every=1, degrade_prob=0)
    data = json.load(open(osp.join(root, 'annotations',
                                   'synthetic_val.json')))
    video = max({im['vid_id'] for im in data['images']}, key=lambda v: sum(
        a['image_id'] // 10000 % 1000000 == int(v)
        for a in data['annotations']))
    images = sorted((im for im in data['images'] if im['vid_id'] == video),
                    key=lambda im: im['file_name'])
    boxes, truth = [], []
    rng = np.random.default_rng(0)
    for im in images:
        anns = [a for a in data['annotations'] if a['image_id'] == im['id']]
        rng.shuffle(anns)  # the order of the boxes carries no identity
        boxes.append(np.array([[a['bbox'][0], a['bbox'][1],
                                a['bbox'][0] + a['bbox'][2],
                                a['bbox'][1] + a['bbox'][3], 0.95]
                               for a in anns]).reshape(-1, 5))
        truth.append({tuple(np.round(b[:4], 1)): a['track_id']
                      for b, a in zip(boxes[-1], anns)})
    frames = [osp.join(root, im['file_name']) for im in images]
    mapping = {}
    for result, gt in zip(inferencer(frames, bboxes=boxes), truth):
        people = result['predictions'][0]
        assert len(people) == len(gt)
        for p in people:
            key = min(gt, key=lambda b: np.abs(np.subtract(b, p['bbox'])
                                               ).sum())
            # one predicted id per person, the same in every frame
            assert mapping.setdefault(p['track_id'], gt[key]) == gt[key]
    assert len(mapping) == len(set(mapping.values())) >= 1


def test_reuse_features_runs_the_backbone_once_per_crop(inferencer):
    """With boxes that do not move, the default (aligned feature reuse)
    gives the per-clip keypoints, with one backbone pass per person and
    frame instead of one per person, frame and clip."""
    reuse = VideoPoseInferencer(TINY_CFG, device='cpu',
                                det_model='whole_image')
    assert reuse.reuse_features and reuse.reuse.align
    reuse.model.load_state_dict(inferencer.model.state_dict())
    passes = {}
    for name, inf in (('reuse', reuse), ('per_clip', inferencer)):
        crops = []
        hook = inf.model.backbone.register_forward_hook(
            lambda m, args, out: crops.append(args[0].shape[0]))
        results = list(inf(FRAMES, bboxes=[BOXES] * 5))
        hook.remove()
        passes[name] = (sum(crops), results)
    flip = 2 if inferencer.model.test_cfg.get('flip_test') else 1
    assert passes['reuse'][0] == 5 * 2 * flip  # 5 frames, 2 people
    assert passes['per_clip'][0] == 5 * 5 * 2 * flip
    for got, want in zip(passes['reuse'][1], passes['per_clip'][1]):
        got = {round(p['bbox_score'], 2): p for p in got['predictions'][0]}
        want = {round(p['bbox_score'], 2): p for p in want['predictions'][0]}
        assert got.keys() == want.keys()
        for score in got:
            np.testing.assert_allclose(got[score]['keypoints'],
                                       want[score]['keypoints'], atol=1e-3)
            assert got[score]['track_id'] == want[score]['track_id']


def test_people_the_tracker_does_not_report_keep_their_pose(inferencer):
    """ByteTrack starts tracks at box score 0.7: people detected at 0.5
    still get their pose (once each), with track id -1."""
    low = BOXES.copy()
    low[:, 4] = 0.5
    for result in inferencer(FRAMES[:3], bboxes=[low] * 3):
        people = result['predictions'][0]
        assert len(people) == 2
        assert [p['track_id'] for p in people] == [-1, -1]


def test_mmpose_inferencer_on_a_tdmi_config_says_which_inferencer_to_use():
    """mmpose's umbrella inferencer builds from a TDMI config (no
    AttributeError) and, since it feeds one frame at a time, its first call
    stops with one message naming the video inferencer and the demo
    tool."""
    from mmpose.apis import MMPoseInferencer
    inf = MMPoseInferencer(pose2d=TINY_CFG, device='cpu',
                           det_model='whole_image')
    with pytest.raises(KeyError) as err:
        next(inf(osp.join(DATA, 'demo.mp4')))
    for name in ('tdmi_mmpose.apis.MMPoseInferencer', 'VideoPoseInferencer',
                 'demo/video_demo.py', 'inference_video_topdown'):
        assert name in str(err.value)


@pytest.mark.parametrize('name, config', [
    ('tdmi', 'configs/tdmi/tdmi_hrnet-w48_posetrack17-384x288.py'),
    ('TDMI-ST', 'configs/tdmi/tdmi-st_hrnet-w48_posetrack17-384x288.py'),
    ('tdmi_hrnet-w8_synthetic-videos-128x96',
     'configs/tdmi/synthetic/tdmi_hrnet-w8_synthetic-videos-128x96.py')])
def test_video_inferencer_takes_the_metafile_names_and_aliases(
        name, config):
    """``VideoPoseInferencer('tdmi')`` builds the model the metafile's alias
    (or name, any case) names, from this package's configs, and warns that
    it comes without weights."""
    with pytest.warns(UserWarning, match='no published weights: give '
                      'weights='):
        inf = VideoPoseInferencer(name, device='cpu', tracker=None,
                                  det_model='whole_image')
    assert inf.cfg.filename.endswith(config)
    assert inf.num_frames == 5


def test_unknown_model_name_says_where_names_are_listed():
    with pytest.raises(ValueError, match='mim search tdmi_mmpose'):
        VideoPoseInferencer('no-such-model', device='cpu',
                            det_model='whole_image')


def test_mmpose_inferencer_looks_aliases_up_in_mmpose_zoo_only():
    """What the inference guide says of ``MMPoseInferencer(pose2d='tdmi')``: mmpose
    searches its own model zoo (and asserts the scope is one of OpenMMLab's
    packages), so the alias cannot reach this package from there."""
    from mmpose.apis import MMPoseInferencer
    with pytest.raises(ValueError, match='Cannot find model: tdmi in mmpose'):
        MMPoseInferencer(pose2d='tdmi', device='cpu')


def test_video_demo_checks_device_outputs_and_folder_boxes_first(tmp_path):
    """Refused before any model is built, in one line each: a CUDA device
    on a machine without one, an output folder that cannot be written, and
    a boxes file written for another frame folder."""
    import shutil
    frames = tmp_path / 'clip'
    frames.mkdir()
    for i in range(3):
        shutil.copy(f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg',
                    frames / f'{i:06d}.jpg')
    boxes = tmp_path / 'boxes.json'
    boxes.write_text(json.dumps(dict(video='other_clip', num_frames=3,
                                     detections=[])))
    blocked = tmp_path / 'a_file'
    blocked.write_text('')  # a folder cannot be made below a file
    ckpt = tmp_path / 'ckpt.pth'
    ckpt.write_bytes(b'')

    def demo(*extra):
        return subprocess.run(
            [sys.executable, 'demo/video_demo.py', str(frames), TINY_CFG,
             str(ckpt), *map(str, extra)], cwd=ROOT, text=True,
            capture_output=True, timeout=300)

    cases = [(('--bboxes', boxes), 'written for video other_clip'),
             (('--out-dir', blocked / 'out'), 'cannot write to'),
             (('--posetrack-out', blocked / 'p.json'), 'cannot write to')]
    if not torch.cuda.is_available():
        cases.append((('--device', 'cuda'), 'has no CUDA device'))
    for extra, words in cases:
        out = demo(*extra)
        assert out.returncode == 1, (extra, out.stderr[-2000:])
        assert words in out.stderr.strip().splitlines()[-1], out.stderr
        assert 'Traceback' not in out.stderr


def test_a_frame_folder_is_read_in_natural_order(tmp_path):
    """Frames named 1, 2, ..., 10 come in that order, not 1, 10, 2; other
    files are left out with a warning naming them; a frame that cannot be
    decoded is one error naming it."""
    from tdmi_mmpose.utils.frames import frame_folder
    src = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
           for i in range(5)]
    folder = tmp_path / 'clip'
    folder.mkdir()
    names = [f'{i}.jpg' for i in (1, 2, 3, 10, 11)]
    for name, path in zip(names, src):
        (folder / name).write_bytes(open(path, 'rb').read())
    (folder / 'notes').write_text('no extension')
    with pytest.warns(UserWarning, match='not frames are left out .notes'):
        frames = frame_folder(str(folder))
    assert [osp.basename(f) for f in frames] == names
    (folder / '12.jpg').write_bytes(b'not a jpeg')
    inferencer = VideoPoseInferencer(TINY_CFG, None, device='cpu',
                                     det_model='whole_image')
    with pytest.raises(ValueError, match=r'12.jpg could not be decoded'):
        list(inferencer(str(folder)))


def test_an_mmdet_tracker_config_as_the_detector_is_refused():
    import mmdet
    config = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs',
                      'bytetrack', 'bytetrack_yolox_x_8xb4-80e_crowdhuman-'
                      'mot17halftrain_test-mot17halfval.py')
    with pytest.raises(ValueError, match='is an mmdet tracker config .model '
                       'type ByteTrack., not a detector'):
        VideoPoseInferencer(TINY_CFG, None, device='cpu', det_model=config)
