"""Dataset converters on small fixtures; their output feeds the datasets
and the metric."""
import json
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SAMPLE
from mmpose.registry import DATASETS

TOOLS = osp.join(ROOT, 'tools', 'dataset_converters')


def run(script, *args):
    subprocess.run([sys.executable, osp.join(TOOLS, script), *map(str, args)],
                   check=True, capture_output=True, text=True)


def test_posetrack17_conversion_and_renaming(tmp_path):
    ann_dir = tmp_path / 'annotations' / 'val'
    ann_dir.mkdir(parents=True)
    frames = tmp_path / 'images' / 'bonn' / '000001_bonn'
    frames.mkdir(parents=True)
    real = osp.join(SAMPLE, 'videos', '000001_mpiinew_test')
    for n in (1, 2, 3):
        shutil.copy(osp.join(real, f'{n:06d}.jpg'), frames / f'{n:05d}.jpg')

    def point(i, x, y):
        return dict(id=[i], x=[x], y=[y], is_visible=[1])

    annolist = [dict(
        image=[dict(name=f'images/bonn/000001_bonn/{n:05d}.jpg')],
        imgnum=[n], is_labeled=[int(n == 2)],
        ignore_regions=[dict(point=[dict(x=[0], y=[0]), dict(x=[9], y=[0]),
                                    dict(x=[9], y=[9])])] if n == 2 else [],
        annorect=[dict(x1=[100], y1=[50], x2=[130], y2=[90], track_id=[0],
                       annopoints=[dict(point=[
                           point(13, 115, 80), point(0, 90, 300),
                           point(9, 140, 120)])])] if n == 2 else [])
        for n in (1, 2, 3)]
    (ann_dir / '000001_bonn_relpath_5sec_testsub.json').write_text(
        json.dumps(dict(annolist=annolist)))
    out = tmp_path / 'pt17_val.json'
    run('posetrack17_to_coco.py', ann_dir, tmp_path, out, '--rename-frames')
    data = json.loads(out.read_text())
    assert [i['file_name'] for i in data['images']] == [
        f'images/bonn/000001_bonn/{n:08d}.jpg' for n in (1, 2, 3)]
    assert (frames / '00000002.jpg').exists()
    (ann, ) = data['annotations']
    k = np.array(ann['keypoints']).reshape(17, 3)
    assert k[0].tolist() == [115, 80, 1]  # nose (PoseTrack17 id 13)
    assert k[16].tolist() == [90, 300, 1]  # right ankle (id 0)
    assert k[5].tolist() == [140, 120, 1]  # left shoulder (id 9)
    assert ann['bbox_head'] == [100, 50, 30, 40]
    assert data['images'][1]['ignore_regions_x'] == [[0, 9, 9]]
    assert (data['images'][0]['width'], data['images'][0]['height']) == \
        (1280, 720)
    # the converted file feeds the 8-digit, 1-based dataset
    ds = DATASETS.build(dict(type='PoseTrack17ClipDataset',
                             data_root=str(tmp_path), ann_file=str(out),
                             data_prefix=dict(img=''), pipeline=[]))
    assert len(ds) == 1
    assert [osp.basename(p) for p in ds.get_data_info(0)['frame_paths']] \
        == ['00000001.jpg', '00000001.jpg', '00000002.jpg', '00000003.jpg',
            '00000003.jpg']


def test_merge_per_video_files(tmp_path):
    run('merge_posetrack_videos.py', osp.join(SAMPLE, 'annotations', 'val'),
        tmp_path / 'merged.json')
    merged = json.loads((tmp_path / 'merged.json').read_text())
    ref = json.load(open(osp.join(SAMPLE, 'annotations',
                                  'test_posetrack18_val.json')))
    assert sorted(i['id'] for i in merged['images']) == sorted(
        i['id'] for i in ref['images'])
    assert len(merged['annotations']) == len(ref['annotations']) == 14
    with pytest.raises(subprocess.CalledProcessError):
        run('merge_posetrack_videos.py', tmp_path / 'empty', tmp_path / 'x')


def test_hieve_conversion(tmp_path):
    ann_dir = tmp_path / 'labels'
    ann_dir.mkdir()
    joints = [[100 + 5 * j, 50 + 20 * j, 1] for j in range(14)]
    joints[13] = [0, 0, 0]  # left ankle not annotated
    frames = [dict(frame_id=n, persons=[dict(track_id=1, keypoints=joints)])
              for n in (1, 2)]
    (ann_dir / 'clip7.json').write_text(json.dumps(frames))
    video = tmp_path / 'images' / 'train' / 'clip7'
    video.mkdir(parents=True)
    real = osp.join(SAMPLE, 'videos', '000001_mpiinew_test')
    for n in (1, 2):
        shutil.copy(osp.join(real, f'{n:06d}.jpg'), video / f'{n:06d}.jpg')
    out = tmp_path / 'hieve.json'
    run('hieve_to_coco.py', ann_dir, tmp_path, out, '--image-prefix',
        'images/train')
    data = json.loads(out.read_text())
    assert data['images'][0]['file_name'] == 'images/train/clip7/000001.jpg'
    k = np.array(data['annotations'][0]['keypoints']).reshape(17, 3)
    assert k[2].tolist() == [100, 50, 1]  # head top is HiEve joint 0
    assert k[15].tolist() == [0, 0, 0]  # left ankle missing
    assert data['annotations'][0]['num_keypoints'] == 13
    x, y, w, h = data['annotations'][0]['bbox_head']
    assert w == h == pytest.approx(np.hypot(5, 20))
    # the converted file feeds the clip dataset (frames of the video)
    ds = DATASETS.build(dict(type='HiEveClipDataset', data_root=str(tmp_path),
                             ann_file=str(out), data_prefix=dict(img=''),
                             pipeline=[]))
    assert len(ds) == 2
    assert [osp.basename(p) for p in ds.get_data_info(0)['frame_paths']] \
        == ['000001.jpg'] * 3 + ['000002.jpg'] * 2
