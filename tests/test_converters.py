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

from tdmi_mmpose.datasets.converters.posetrack_format import (
    CATEGORIES, posetrack_frame, posetrack_person)

TOOLS = osp.join(ROOT, 'tools', 'dataset_converters')
FRAME_KEYS = list(posetrack_frame(1, 'f.jpg', 'v', 1, 1, 1))
PERSON_KEYS = list(posetrack_person(1, 1, 1, [0.0] * 51, 0, [0, 0, 1, 1],
                                    [0, 0, 1, 1]))


def assert_posetrack18_layout(data):
    """Every frame and person of ``data`` was written through the one
    layout (its fields first and in its order, extras after)."""
    assert data['categories'] == CATEGORIES
    for image in data['images']:
        assert list(image)[:len(FRAME_KEYS)] == FRAME_KEYS, image
    for person in data['annotations']:
        assert list(person)[:len(PERSON_KEYS)] == PERSON_KEYS, person


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
    assert_posetrack18_layout(data)
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


HIEVE = osp.join(ROOT, 'tests', 'data', 'hieve_sample')


def _hieve_frames(tmp_path):
    """HiEve's frames as its annotations name them (``0.jpg`` ...), real
    1280x720 PoseTrack frames standing in."""
    video = tmp_path / 'images' / 'train' / 'hm_in_sample'
    video.mkdir(parents=True)
    real = osp.join(SAMPLE, 'videos', '000001_mpiinew_test')
    for n in (0, 1, 2):
        shutil.copy(osp.join(real, f'{n:06d}.jpg'), video / f'{n}.jpg')
    return video


def test_hieve_conversion_of_the_published_format(tmp_path):
    """The shipped frames in HiEve's published all-track layout (VOC-style
    XML per frame): joints by name, flags 0/1 annotated and -1 not, P-<id>
    track ids, 0-based frames linked under 6-digit names for the clip
    dataset."""
    video = _hieve_frames(tmp_path)
    out = tmp_path / 'hieve.json'
    run('hieve_to_coco.py', osp.join(HIEVE, 'labels'), tmp_path, out,
        '--image-prefix', 'images/train', '--link-frames')
    data = json.loads(out.read_text())
    assert_posetrack18_layout(data)
    assert [i['file_name'] for i in data['images']] == [
        f'images/train/hm_in_sample/{n:06d}.jpg' for n in range(3)]
    assert all(i['nframes'] == 3 and (i['width'], i['height']) == (1280, 720)
               for i in data['images'])
    assert osp.realpath(video / '000002.jpg') == osp.realpath(
        video / '2.jpg')
    first, second = data['annotations'][:2]
    assert (first['track_id'], second['track_id']) == (1, 2)
    k = np.array(first['keypoints']).reshape(17, 3)
    assert k[0].tolist() == [300, 60, 1]  # Nose
    assert k[1].tolist() == [312, 78, 1]  # Chest in the head_bottom slot
    assert k[2].tolist() == [0, 0, 0]  # no head top in HiEve
    assert k[6].tolist() == [324, 96, 1]  # Right-shoulder
    assert first['num_keypoints'] == 14
    assert first['bbox'] == [280, 30, 80, 284]
    k2 = np.array(second['keypoints']).reshape(17, 3)
    assert k2[15].tolist() == [0, 0, 0]  # Left-ankle flag -1: absent
    assert k2[10][2] == 1  # Right-wrist flag 1 (invisible): annotated
    assert second['num_keypoints'] == 13
    x, y, w, h = first['bbox_head']
    assert w == h == pytest.approx(np.hypot(12, 18))
    assert (x + w / 2, y + h / 2) == pytest.approx((300, 60))
    ds = DATASETS.build(dict(type='HiEveClipDataset', data_root=str(tmp_path),
                             ann_file=str(out), data_prefix=dict(img=''),
                             pipeline=[]))
    assert len(ds) == 6
    assert [osp.basename(p) for p in ds.get_data_info(0)['frame_paths']] \
        == ['000000.jpg'] * 3 + ['000001.jpg', '000002.jpg']


def test_hieve_json_rendering_reads_the_same(tmp_path):
    """The format page prints a frame as JSON ({"annotation": ...}, string
    values): such files convert to the same annotations as the XML."""
    import xml.etree.ElementTree as ET
    from tdmi_mmpose.datasets.converters.hieve import element_to_dict
    labels = tmp_path / 'labels' / 'hm_in_sample'
    labels.mkdir(parents=True)
    for n in range(3):
        root = ET.parse(osp.join(HIEVE, 'labels', 'hm_in_sample',
                                 f'{n:06d}.xml')).getroot()
        (labels / f'{n:06d}.json').write_text(json.dumps(
            {'annotation': element_to_dict(root)}))
    for src, out in ((osp.join(HIEVE, 'labels'), 'xml.json'),
                     (tmp_path / 'labels', 'json.json')):
        run('hieve_to_coco.py', src, tmp_path, tmp_path / out)
    assert json.loads((tmp_path / 'xml.json').read_text()) == json.loads(
        (tmp_path / 'json.json').read_text())


def test_hieve_unknown_joint_is_an_error_naming_the_file(tmp_path):
    labels = tmp_path / 'labels' / 'v'
    labels.mkdir(parents=True)
    text = open(osp.join(HIEVE, 'labels', 'hm_in_sample',
                         '000000.xml')).read()
    (labels / '000000.xml').write_text(text.replace('Chest>', 'Head>'))
    proc = subprocess.run([sys.executable, osp.join(TOOLS, 'hieve_to_coco.py'),
                           tmp_path / 'labels', tmp_path, tmp_path / 'o.json'],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "000000.xml, P-1: unknown joint 'Head'" in proc.stderr
