"""TDMI learning from unlabelled video: the key frame's degradation, the
unlabelled video dataset (people cached, bad videos skipped and named), the
teacher-student estimator and ``tools/adapt.py`` end to end (cache written,
resumed, the adapted checkpoint run by ``demo/video_demo.py``)."""
import ast
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from conftest import ROOT, SAMPLE
from mmengine.config import Config
from mmpose.registry import DATASETS, MODELS, TRANSFORMS

from tdmi_mmpose.datasets import list_videos
from tdmi_mmpose.utils.frames import frame_files
from tdmi_mmpose.datasets.transforms.degradation import KINDS

SYN = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
ADAPT_CFG = osp.join(SYN, 'tdmi_hrnet-w8_synthetic-videos-128x96_adapt.py')
SINGLE_CFG = osp.join(SYN, 'hrnet-w8_synthetic-videos-128x96_single-frame.py')
FRAMES = [f'{SAMPLE}/videos/000001_mpiinew_test/{i:06d}.jpg'
          for i in range(5)]


def crops(size=(128, 96)):
    """Five real consecutive frames, resized to crops."""
    return [cv2.resize(cv2.imread(p), size[::-1]) for p in FRAMES]


def sharpness(img):
    return float(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY),
                               cv2.CV_64F).var())


@pytest.mark.parametrize('kind', KINDS)
def test_each_degradation_changes_the_key_frame_only(kind):
    frames = crops()
    t = TRANSFORMS.build(dict(type='DegradeKeyFrame', prob=1.0,
                              kinds={kind: 1}, max_kinds=1, seed=3))
    out = t(dict(img=[f.copy() for f in frames]))
    assert len(out['img']) == 6 and out['degradations'] == [kind]
    for i in (0, 1, 3, 4):
        assert np.array_equal(out['img'][i], frames[i])
    assert np.array_equal(out['img'][5], frames[2])  # the clean key frame
    key = out['img'][2]
    assert key.shape == frames[2].shape and key.dtype == np.uint8
    assert not np.array_equal(key, frames[2])
    if kind in ('motion_blur', 'defocus'):
        assert sharpness(key) < 0.5 * sharpness(frames[2])
    elif kind == 'low_light':
        assert key.mean() < 0.6 * frames[2].mean()
    else:  # occluders cover a part, the rest stays
        same = np.all(key == frames[2], axis=2).mean()
        assert 0.3 < same < 0.99


def test_degradation_probability_and_arguments():
    frames = crops()
    keep = TRANSFORMS.build(dict(type='DegradeKeyFrame', prob=0.0, seed=0))
    out = keep(dict(img=[f.copy() for f in frames]))
    assert out['degradations'] == []
    assert all(np.array_equal(a, b)
               for a, b in zip(out['img'], frames + [frames[2]]))
    half = TRANSFORMS.build(dict(type='DegradeKeyFrame', prob=0.5, seed=0,
                                 max_kinds=2))
    counts = [len(half(dict(img=list(frames)))['degradations'])
              for _ in range(200)]
    assert 0.35 < np.mean([c > 0 for c in counts]) < 0.65
    assert max(counts) == 2
    for bad, words in ((dict(kinds=dict(fog=1)), 'unknown kinds'),
                       (dict(prob=1.5), 'prob'),
                       (dict(kinds=dict(defocus=0)), 'positive'),
                       (dict(gain=(0.5, 0.1)), 'gain')):
        with pytest.raises(ValueError, match=words):
            TRANSFORMS.build(dict(type='DegradeKeyFrame', **bad))
    with pytest.raises(ValueError, match='odd number of frames'):
        keep(dict(img=frames[:4]))


def test_the_degradation_shares_no_code_with_the_video_generator():
    """The built-in videos' generator degrades the validation key frames;
    an augmentation built from its code would teach the test's answer."""
    path = osp.join(ROOT, 'tdmi_mmpose', 'datasets', 'transforms',
                    'degradation.py')
    tree = ast.parse(open(path).read())
    imported = {n.module or '' for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
    assert not any('synthetic' in m for m in imported), imported


def write_frames(folder, frames, names=None):
    os.makedirs(folder, exist_ok=True)
    for i, frame in enumerate(frames):
        name = names[i] if names else f'{i:06d}.jpg'
        cv2.imwrite(osp.join(folder, name), frame)


def write_video(path, frames, fps=10):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_videos_are_listed_in_natural_order_from_folders_and_lists(
        tmp_path):
    frames = [cv2.imread(p) for p in FRAMES]
    write_frames(tmp_path / 'v' / 'walk', frames[:3],
                 ['1.jpg', '10.jpg', '2.jpg'])
    write_video(str(tmp_path / 'v' / 'clip10.mp4'), frames)
    write_video(str(tmp_path / 'v' / 'clip9.mp4'), frames)
    (tmp_path / 'v' / 'notes.txt').write_text('not a video')
    found = list_videos(str(tmp_path / 'v'))
    assert [(n, k) for n, _, k in found] == [
        ('clip9', 'file'), ('clip10', 'file'), ('walk', 'frames')]
    assert frame_files(str(tmp_path / 'v' / 'walk')) == [
        '1.jpg', '2.jpg', '10.jpg']
    listing = tmp_path / 'list.txt'
    listing.write_text('# my videos\nv/clip10.mp4\nv/walk\n')
    assert [n for n, _, _ in list_videos(str(listing))] == ['clip10', 'walk']
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match=f'{tmp_path}/empty: no videos'):
        list_videos(str(tmp_path / 'empty'))
    with pytest.raises(FileNotFoundError, match='do not exist'):
        list_videos(str(tmp_path / 'nowhere'))


@pytest.fixture(scope='module')
def builtin(tmp_path_factory):
    """Three small built-in training videos with their boxes files (the
    experiments' detector stand-in), and a single-frame W8 teacher with
    random weights."""
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    from tdmi_mmpose.experiments.adaptation import write_boxes_files
    root = tmp_path_factory.mktemp('adapt')
    data = root / 'data'
    generate_synthetic_videos(str(data), logger=lambda m: None, seed=5,
                              num_train_videos=3, num_val_videos=1,
                              num_frames=8)
    boxes = write_boxes_files(str(data))
    torch.manual_seed(0)
    from test_warm_start import build, randomise
    teacher = randomise(build(SINGLE_CFG), 1)
    path = root / 'single_frame.pth'
    torch.save(dict(state_dict=teacher.state_dict(), meta=dict()), path)
    return data, boxes, str(path)


def user_videos(builtin, folder):
    """A user's folder: one built-in video as a frame folder, one as an
    .mp4 (boxes files named after them), a zero-length video, and a video
    in which the boxes file has nobody."""
    data, boxes, _ = builtin
    videos = sorted(os.listdir(data / 'images' / 'train'))
    os.makedirs(folder / 'videos')
    os.makedirs(folder / 'boxes')
    shutil.copytree(data / 'images' / 'train' / videos[0],
                    folder / 'videos' / 'street')
    with open(osp.join(boxes, f'{videos[0]}.json')) as f:
        street = json.load(f)
    street['video'] = 'street'
    (folder / 'boxes' / 'street.json').write_text(json.dumps(street))
    frames = [cv2.imread(str(p)) for p in sorted(
        (data / 'images' / 'train' / videos[1]).iterdir())]
    write_video(str(folder / 'videos' / 'park.mp4'), frames)
    with open(osp.join(boxes, f'{videos[1]}.json')) as f:
        park = json.load(f)
    park['video'] = 'park.mp4'
    (folder / 'boxes' / 'park.json').write_text(json.dumps(park))
    (folder / 'videos' / 'broken.mp4').write_bytes(b'')
    shutil.copytree(data / 'images' / 'train' / videos[2],
                    folder / 'videos' / 'nobody')
    (folder / 'boxes' / 'nobody.json').write_text(json.dumps(dict(
        video='nobody', num_frames=8, detections=[])))
    return folder / 'videos', folder / 'boxes'


def dataset(videos, boxes, cache, **kw):
    return DATASETS.build(dict(dict(pipeline=[]), type='UnlabelledVideoDataset',
                               videos=str(videos), boxes_dir=str(boxes),
                               cache_dir=str(cache), **kw))


def test_unlabelled_dataset_caches_people_and_names_skipped_videos(
        builtin, tmp_path):
    videos, boxes = user_videos(builtin, tmp_path)
    cache = tmp_path / 'cache'
    ds = dataset(videos, boxes, cache)
    assert set(ds.skipped) == {str(videos / 'broken.mp4'),
                               str(videos / 'nobody')}
    assert 'empty (0 bytes)' in ds.skipped[str(videos / 'broken.mp4')]
    manifest = json.loads((cache / 'manifest.json').read_text())
    assert manifest['videos']['park']['num_frames'] == 8
    assert manifest['videos']['nobody']['status'] == 'no_people'
    assert len(os.listdir(cache / 'frames' / 'park')) == 8  # decoded once
    sample = ds[0]
    assert len(sample['frame_paths']) == 5
    assert sample['img_path'] == sample['frame_paths'][2]
    assert sample['bbox'].shape == (1, 4) and sample['track_id'] >= 0
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert {d['video'] for d in infos} == {'street', 'park'}
    # every person is tracked through its whole clip (min_track_frames=5)
    assert len(ds) == sum(
        len(p) for v in ('street', 'park') for p in json.loads(
            (cache / f'{v}.people.json').read_text())['people'])
    # a second dataset reads the cache: nothing detected, frames kept
    stamp = os.stat(cache / 'park.people.json').st_mtime_ns
    again = dataset(videos, boxes, cache)
    assert len(again) == len(ds)
    assert os.stat(cache / 'park.people.json').st_mtime_ns == stamp


def test_unlabelled_dataset_with_the_shared_transform(builtin, tmp_path):
    """The labelled datasets' transforms crop every frame of a clip with
    the key frame's box; DegradeKeyFrame adds the clean key frame."""
    videos, boxes = user_videos(builtin, tmp_path)
    cfg = Config.fromfile(ADAPT_CFG)
    ds = dataset(videos, boxes, tmp_path / 'cache',
                 pipeline=cfg.train_dataloader.dataset.pipeline)
    out = ds[0]
    assert tuple(out['inputs'].shape) == (6, 3, 128, 96)
    assert 'degradations' in out['data_samples'].metainfo


def test_a_changed_video_is_detected_again(builtin, tmp_path, capsys):
    videos, boxes = user_videos(builtin, tmp_path)
    cache = tmp_path / 'cache'
    dataset(videos, boxes, cache)
    frame = videos / 'street' / '000003.jpg'
    img = cv2.imread(str(frame))
    cv2.imwrite(str(frame), cv2.GaussianBlur(img, (5, 5), 0),
                [cv2.IMWRITE_JPEG_QUALITY, 60])
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    records = []
    handler = _ListHandler(records)
    logger.addHandler(handler)
    try:
        dataset(videos, boxes, cache)
    finally:
        logger.removeHandler(handler)
    changed = [r for r in records if 'changed since' in r]
    assert len(changed) == 1 and 'street' in changed[0]


class _ListHandler(__import__('logging').Handler):
    def __init__(self, out):
        super().__init__()
        self.out = out

    def emit(self, record):
        self.out.append(record.getMessage())


def adapter(teacher_ckpt, **model):
    cfg = Config.fromfile(ADAPT_CFG)
    cfg.model.init_cfg = dict(type='WarmStart', checkpoint=teacher_ckpt)
    cfg.model.update(model)
    net = MODELS.build(cfg.model)
    net.init_weights()
    return net


def batch(net, seed, degrade=False):
    """Clips of the real frames with the clean key frame appended, through
    the model's data preprocessor."""
    from mmpose.structures import PoseDataSample
    frames = [torch.from_numpy(f).permute(2, 0, 1) for f in crops()]
    gen = torch.Generator().manual_seed(seed)
    clips = []
    for b in range(2):
        clip = [f.roll(int(torch.randint(-9, 9, (1, ), generator=gen)), -1)
                for f in frames]
        clean = clip[2]
        if degrade:
            clip[2] = (clip[2] // 4).to(torch.uint8)
        clips.append(torch.stack(clip + [clean]))
    samples = [PoseDataSample(metainfo=dict(
        flip_indices=[0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16,
                      15])) for _ in clips]
    return net.data_preprocessor(dict(inputs=clips, data_samples=samples),
                                 training=True)


def test_the_frozen_teacher_is_the_single_frame_model(builtin):
    """Warm-started, the student equals its teacher on a clean clip, so its
    loss is zero (BatchNorm with running statistics in both); the teacher's
    heatmaps are the single-frame model's."""
    _, _, ckpt = builtin
    from test_warm_start import build
    net = adapter(ckpt, teacher_flip=False).eval()
    data = batch(net, 0)
    losses = net.loss(data['inputs'], data['data_samples'])
    assert float(losses['loss_kpt']) < 1e-12
    single = build(SINGLE_CFG)
    single.load_state_dict(torch.load(ckpt)['state_dict'])
    single.eval()
    clean = data['inputs'][:, -1]
    with torch.no_grad():
        want = single.head(single.extract_feat(clean))
    got, weights = net.teacher_heatmaps(data['inputs'][:, :-1], clean,
                                        list(range(17)))
    assert torch.allclose(got, want, atol=1e-5)
    assert torch.equal(weights, (want.amax((-2, -1)) >= 0.3).float())


def test_degraded_key_frames_give_a_loss_and_the_frozen_teacher_stays(
        builtin):
    _, _, ckpt = builtin
    net = adapter(ckpt, conf_thr=0.0).train()
    before = {k: v.clone() for k, v in net.teacher.state_dict().items()}
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad],
                           1e-3)
    data = batch(net, 1, degrade=True)
    losses = net.loss(data['inputs'], data['data_samples'])
    assert float(losses['loss_kpt']) > 0
    assert float(losses['teacher_kept']) == 1.0
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    opt.step()
    assert not any(p.requires_grad for p in net.teacher.parameters())
    assert all(torch.equal(before[k], v)
               for k, v in net.teacher.state_dict().items())
    assert not net.teacher.training
    # the confidence threshold: unsure keypoints get no weight
    strict = adapter(ckpt, conf_thr=0.999).train()
    assert float(strict.loss(data['inputs'],
                             data['data_samples'])['teacher_kept']) == 0.0


def test_the_ema_teacher_follows_the_student(builtin):
    _, _, ckpt = builtin
    net = adapter(ckpt, teacher=dict(type='ema', frames='clip',
                                     momentum=0.5)).train()
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad],
                          1.0)
    key = 'module.backbone.conv1.weight'
    start = net.teacher.state_dict()[key].clone()
    for step in range(3):
        data = batch(net, step, degrade=True)
        losses = net.loss(data['inputs'], data['data_samples'])
        opt.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        opt.step()
    student = net.state_dict()['backbone.conv1.weight']
    teacher = net.teacher.state_dict()[key]
    assert not torch.equal(teacher, start)
    assert not torch.equal(teacher, student)
    with pytest.raises(ValueError, match="type='frozen' | 'ema'"):
        adapter(ckpt, teacher=dict(type='mean'))
    with pytest.raises(ValueError, match='DegradeKeyFrame'):
        net.loss(data['inputs'][:, :-1], data['data_samples'])


def adapt(*args, timeout=900):
    return subprocess.run([sys.executable, 'tools/adapt.py', *map(str, args)],
                          cwd=ROOT, text=True, capture_output=True,
                          timeout=timeout)


def tiny_recipe(tmp_path):
    path = tmp_path / 'recipe.py'
    path.write_text(
        f"_base_ = ['{ADAPT_CFG}']\n"
        'val_dataloader = val_cfg = val_evaluator = None\n'
        'test_dataloader = test_cfg = test_evaluator = None\n'
        'train_dataloader = dict(batch_size=4, num_workers=0, '
        'persistent_workers=False)\n'
        "default_hooks = dict(checkpoint=dict(save_best=None, interval=1), "
        "logger=dict(interval=1))\n"
        "visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])\n")
    return path


def test_adapt_tool_end_to_end(builtin, tmp_path):
    """A tiny TDMI adapted on a user's folder: people cached and skipped
    videos named; a second call resumes the run without finding people
    again; the adapted model runs in video_demo.py without --warm-start."""
    _, _, teacher = builtin
    videos, boxes = user_videos(builtin, tmp_path)
    work = tmp_path / 'work'
    recipe = tiny_recipe(tmp_path)
    out = adapt(videos, teacher, '--work-dir', work, '--config', recipe,
                '--boxes-dir', boxes, '--epochs', '1')
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    assert 'people of 4/4 videos found' in log
    assert '2 of 4 videos skipped' in log and 'broken.mp4' in log
    assert (work / 'cache' / 'manifest.json').is_file()
    assert (work / 'epoch_1.pth').is_file()
    out = adapt(videos, teacher, '--work-dir', work, '--config', recipe,
                '--boxes-dir', boxes, '--epochs', '2')
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    assert 'people of' not in log  # the cache serves the second run
    assert 'resumed epoch: 1' in log.lower() or 'resumed' in log.lower()
    assert (work / 'epoch_2.pth').is_file()
    cfg, ckpt = work / 'tdmi_adapted.py', work / 'tdmi_adapted.pth'
    state = torch.load(ckpt, weights_only=False)['state_dict']
    assert not any(k.startswith('teacher.') for k in state)
    demo = subprocess.run(
        [sys.executable, 'demo/video_demo.py', str(videos / 'park.mp4'),
         str(cfg), str(ckpt), '--bboxes', str(boxes / 'park.json'),
         '--out-dir', str(tmp_path / 'demo'), '--device', 'cpu'],
        cwd=ROOT, text=True, capture_output=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    results = [f for f in os.listdir(tmp_path / 'demo')
               if f.endswith('.json')]
    assert results
    # mmpose's inferencer (this package's drop-in) runs it too
    from tdmi_mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(pose2d=str(cfg), pose2d_weights=str(ckpt),
                                  det_model='whole_image', device='cpu')
    frames = list(inferencer(str(videos / 'park.mp4')))
    assert len(frames) == 8
    assert len(frames[0]['predictions'][0][0]['keypoints']) == 17


def test_adapt_tool_refuses_bad_teachers_and_inputs(builtin, tmp_path):
    _, _, teacher = builtin
    (tmp_path / 'empty').mkdir()
    out = adapt(tmp_path / 'empty', teacher, '--work-dir', tmp_path / 'w',
                '--config', tiny_recipe(tmp_path))
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith(
        f'adapt.py: error: {tmp_path}/empty: no videos found')
    # a TDMI checkpoint as the teacher
    net = adapter(teacher)
    tdmi = tmp_path / 'tdmi.pth'
    torch.save(dict(state_dict=net.student_state_dict()), tdmi)
    videos, boxes = user_videos(builtin, tmp_path / 'u')
    out = adapt(videos, tdmi, '--work-dir', tmp_path / 'w', '--config',
                tiny_recipe(tmp_path), '--boxes-dir', boxes)
    assert out.returncode == 1
    assert 'is a video (TDMI) checkpoint' in out.stderr.splitlines()[-1]
    assert not (tmp_path / 'w' / 'cache').exists()  # refused before work
