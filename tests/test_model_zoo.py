"""Weights and models by address or name, without the internet: a model
zoo on the loopback address serves checkpoints in the model zoo's format
(a ``meta`` with numpy objects, a ``state_dict``) under the official
download paths; the documented real-video command runs against it with only
the host changed, and a local file, an address and a model name give the
same keypoints, the second time without a download."""
import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from conftest import DATA, ROOT
from mmengine.config import Config
from mmpose.apis.inferencers.utils import default_det_models
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import MODELS
from zoo_server import Zoo, refused_address

from tdmi_mmpose.apis import VideoPoseInferencer
from tdmi_mmpose.apis.people import check_detector_name
from tdmi_mmpose.utils.model_zoo import (DownloadError, ModelNameError,
                                         cached_path, download, find_model,
                                         is_detector, resolve_weights)

OFFICIAL = 'https://download.openmmlab.com'
POSE_NAME = 'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288'
TINY_CFG = osp.join(ROOT, 'configs', 'tdmi', 'tiny',
                    'tdmi_hrnet-w8-tiny_posetrack18-sample-128x96.py')


def zoo_checkpoint(model, keypoints='posetrack18'):
    """A checkpoint as the model zoo publishes one: ``state_dict`` and a
    ``meta`` whose dataset meta holds numpy arrays."""
    meta = parse_pose_metainfo(
        dict(from_file=f'configs/_base_/datasets/{keypoints}.py'))
    path = osp.join(os.environ['TORCH_HOME'], 'zoo.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=meta, mmpose_version='1.3.2')),
               path)
    with open(path, 'rb') as f:
        data = f.read()
    os.remove(path)
    return data


@pytest.fixture
def zoo(tmp_path, monkeypatch):
    """The loopback model zoo, with an empty download cache."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    os.makedirs(tmp_path / 'torch')
    server = Zoo()
    yield server
    server.close()


def random_detector(config):
    """An mmdet detector of ``config`` with its random initialisation."""
    from mmdet.registry import MODELS as DET_MODELS
    from mmengine.registry import DefaultScope
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        return DET_MODELS.build(cfg.model)


def cache_files():
    """The cached files (without the notes of their addresses)."""
    folder = osp.dirname(cached_path('http://x/y.pth'))
    return sorted(f for f in os.listdir(folder)
                  if not f.endswith('.source')) if osp.isdir(folder) else []


def test_downloads_once_and_failures_leave_nothing(zoo):
    torch.save(dict(meta=dict(epoch=np.int64(3), sigmas=np.ones(2)),
                    state_dict=dict(w=torch.ones(2))),
               osp.join(os.environ['TORCH_HOME'], 'c.pth'))
    data = open(osp.join(os.environ['TORCH_HOME'], 'c.pth'), 'rb').read()
    good = f'good-{hashlib.sha256(data).hexdigest()[:8]}_20240101.pth'
    url = zoo.add(f'/mmpose/m/{good}', data)
    path = download(url, progress=False)
    assert path == cached_path(url) and open(path, 'rb').read() == data
    assert download(url, progress=False) == path
    assert zoo.requests[f'/mmpose/m/{good}'] == 1
    from mmengine.runner import CheckpointLoader  # mmengine's own loading
    assert CheckpointLoader.load_checkpoint(url)['meta']['epoch'] == 3
    half = zoo.add('/half.pth', data[:len(data) // 2])  # a cut zip
    for address, words in (
            (refused_address(), 'could not be reached'),
            (zoo.url('/missing.pth'), 'answered HTTP 404 Not Found'),
            (zoo.url('/page.pth'), 'gave an HTML/XML page .text/html.'),
            (zoo.url('/cut.pth'), 'stopped after 100 of its 4096 bytes'),
            (half, r'truncated file')):
        with pytest.raises(DownloadError) as err:
            download(address, progress=False)
        message = str(err.value)
        assert '\n' not in message and address in message
        assert re.search(words, message), message
        assert 'give the local file' in message
    assert cache_files() == [good]


def test_the_hash_in_a_file_name_is_checked(zoo, capsys):
    """A model zoo name carries its content's SHA-256 prefix: a download or
    a cached file that does not match it is refused (nothing is cached, the
    cached one is named for deletion); a name without one is said to go
    unchecked; ``TDMI_HASH_CHECK=0`` accepts a mirror's re-saved weights."""
    from tdmi_mmpose.utils.model_zoo import name_hash
    assert name_hash('https://download.openmmlab.com/mmpose/top_down/hrnet/'
                     'hrnet_w48_posetrack18_384x288-5fd6d3ff_20211130.pth'
                     ) == '5fd6d3ff'
    assert name_hash('rtmdet_m_8xb32-300e_coco_20220719_112220-229f527c'
                     '.pth') == '229f527c'
    assert name_hash('resnet18-f37072fd.pth') == 'f37072fd'
    assert name_hash('td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288.pth') \
        is None
    path = osp.join(os.environ['TORCH_HOME'], 'c.pth')
    torch.save(dict(state_dict=dict(w=torch.ones(2))), path)
    data = open(path, 'rb').read()
    digest = hashlib.sha256(data).hexdigest()[:8]
    wrong = '0' * 8 if digest != '0' * 8 else '1' * 8
    url = zoo.add(f'/m/hrnet-{wrong}_20240101.pth', data)
    with pytest.raises(DownloadError) as err:
        download(url, progress=False)
    message = str(err.value)
    assert f'SHA-256 {digest}' in message and f'says {wrong}' in message
    assert 'nothing was kept' in message and '\n' not in message
    assert cache_files() == []
    # a cached file damaged later (64 bytes flipped)
    url = zoo.add(f'/m/hrnet-{digest}_20240101.pth', data)
    cached = download(url, progress=False)
    with open(cached, 'r+b') as f:
        f.seek(len(data) // 2)
        f.write(bytes(b ^ 0xff for b in data[len(data) // 2:][:64]))
    with pytest.raises(DownloadError, match='delete it to download it '
                       'again') as err:
        download(url, progress=False)
    assert cached in str(err.value)
    # no hash in the name: said; the check turned off: accepted
    download(zoo.add('/m/plain.pth', data), progress=True)
    assert 'content not checked (its file name carries no hash)' in \
        capsys.readouterr().err
    os.environ['TDMI_HASH_CHECK'] = '0'
    try:
        assert download(url, progress=False) == cached
    finally:
        del os.environ['TDMI_HASH_CHECK']


def test_model_names_resolve_through_the_metafiles():
    entry, root, scope = find_model(POSE_NAME)
    assert scope == 'mmpose' and osp.isfile(osp.join(root, entry['Config']))
    assert resolve_weights(POSE_NAME) == (
        f'{OFFICIAL}/mmpose/top_down/hrnet/'
        'hrnet_w48_posetrack18_384x288-5fd6d3ff_20211130.pth')
    entry, _, scope = find_model('RTMDet-m')  # an alias, any case
    assert scope == 'mmdet' and is_detector(entry)
    assert find_model('tdmi')[2] == 'tdmi_mmpose'
    with pytest.raises(ModelNameError, match=f'closest names: {POSE_NAME}'):
        resolve_weights(POSE_NAME.replace('posetrack', 'posetrak'))
    with pytest.raises(FileNotFoundError, match='missing.pth does not'):
        resolve_weights('missing.pth')
    with pytest.raises(ModelNameError, match='closest names: rtmdet-m'):
        check_detector_name('rtmdet-mm')
    with pytest.raises(ModelNameError, match=f'{POSE_NAME}.*is a pose model '
                       'of mmpose, not a detector'):
        check_detector_name(POSE_NAME)
    tracker = ('bytetrack_yolox_x_8xb4-amp-80e_crowdhuman-mot17halftrain_'
               'test-mot17halfval')
    with pytest.raises(ModelNameError, match='is an mmdet model for '
                       'Multiple Object Tracking, not a detector'):
        check_detector_name(tracker)


def test_default_detector_is_mmposes_and_whole_image_is_none(
        zoo, monkeypatch):
    """No det_model: mmpose's default person detector (its table), its
    weights from the cache; a failed download names the alternatives."""
    monkeypatch.setenv('TDMI_HASH_CHECK', '0')  # random weights cached
    default = default_det_models['human']
    detector = random_detector(default['model'])
    os.makedirs(osp.dirname(cached_path(default['weights'])))
    torch.save(dict(state_dict=detector.state_dict(), meta=dict()),
               cached_path(default['weights']))
    inf = VideoPoseInferencer(TINY_CFG, device='cpu', tracker=None)
    assert inf.detector.cfg.filename == default['model']
    assert tuple(inf.det_cat_ids) == default['cat_ids']
    assert VideoPoseInferencer(TINY_CFG, device='cpu',
                               det_model='whole_image').detector is None
    missing = zoo.url('/mmdetection/rtmdet_m.pth')
    with pytest.raises(DownloadError) as err:
        VideoPoseInferencer(TINY_CFG, device='cpu', det_model='rtmdet-m',
                            det_weights=missing)
    assert missing in str(err.value) and "det_model='whole_image'" in str(
        err.value) and 'bboxes' in str(err.value)
    with pytest.raises(ModelNameError, match='is a pose model'):
        VideoPoseInferencer(TINY_CFG, device='cpu', det_model=POSE_NAME)


def documented_command():
    """The real-video command of the get-started page, as a list."""
    text = open(osp.join(ROOT, 'docs', 'en', 'get_started.md')).read()
    block = re.search(r'```bash\n(.*?demo/video_demo\.py.*?)\n```', text,
                      re.S).group(1)
    line = block.replace('\\\n', ' ')
    line = next(c for c in line.split('\n') if 'video_demo.py' in c)
    return line.split()


def short_clip(path, frames=3):
    """The first frames of the real demo video, at half size."""
    reader = cv2.VideoCapture(osp.join(DATA, 'demo.mp4'))
    writer = None
    for _ in range(frames):
        ok, image = reader.read()
        image = cv2.resize(image, None, fx=0.5, fy=0.5)
        if writer is None:
            writer = cv2.VideoWriter(str(path),
                                     cv2.VideoWriter_fourcc(*'mp4v'), 10,
                                     image.shape[1::-1])
        writer.write(image)
    writer.release()
    return str(path)


def test_documented_real_video_command_against_a_loopback_zoo(
        zoo, tmp_path, monkeypatch):
    # random weights under the official names: their hashes cannot match
    monkeypatch.setenv('TDMI_HASH_CHECK', '0')
    command = documented_command()
    assert command[1] == 'demo/video_demo.py' and '--warm-start' in command
    addresses = [c for c in command if c.startswith(OFFICIAL)]
    assert len(addresses) == 2  # the pose weights and the detector's
    pose_url, det_url = addresses
    # the zoo's files: random weights of mmpose's HRNet-W48 PoseTrack18
    # model and of mmdet's RTMDet-m, under the official paths
    torch.manual_seed(0)
    entry, root, _ = find_model(POSE_NAME)
    cfg = Config.fromfile(osp.join(root, entry['Config']))
    cfg.model.backbone.init_cfg = None
    zoo.add(pose_url[len(OFFICIAL):], zoo_checkpoint(MODELS.build(
        cfg.model)))
    entry, root, _ = find_model('rtmdet-m')
    zoo.add(det_url[len(OFFICIAL):], zoo_checkpoint(random_detector(
        osp.join(root, entry['Config']))))
    video = short_clip(tmp_path / 'my_video.mp4')
    out = tmp_path / 'out'
    args = [video if c.endswith('.mp4') else str(out) if c == 'out/' else
            c.replace(OFFICIAL, zoo.host) for c in command[2:]]
    proc = subprocess.run([sys.executable, 'demo/video_demo.py', *args],
                          cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.getsize(out / 'my_video.mp4') > 0
    assert len(json.load(open(out / 'my_video.json'))) == 3
    assert sum(zoo.requests.values()) == 2  # each file once
    assert cache_files() == sorted(osp.basename(u) for u in addresses)
    # the same pose weights as a local file, an address and a model name
    boxes = [np.array([[150, 40, 330, 330, 0.9]], np.float32)] * 3
    local = tmp_path / 'hrnet_w48.pth'
    local.write_bytes(zoo.files[pose_url[len(OFFICIAL):]])
    keypoints = []
    for weights in (str(local), pose_url.replace(OFFICIAL, zoo.host),
                    POSE_NAME):
        inf = VideoPoseInferencer(command[3], weights, device='cpu',
                                  warm_start=True, flip_test=False,
                                  det_model='whole_image', tracker=None)
        keypoints.append([r['predictions'][0][0]['keypoints']
                          for r in inf(video, bboxes=boxes)])
    assert len(keypoints[0]) == 3
    assert keypoints[0] == keypoints[1] == keypoints[2]
    # the warm start's own loading (WarmStart init_cfg, the converter)
    # takes the name too
    from tdmi_mmpose.models.utils import single_frame_state_dict
    assert 'backbone.conv1.weight' in single_frame_state_dict(POSE_NAME)
    assert sum(zoo.requests.values()) == 2  # nothing downloaded again


class _Payload:
    """Unpickling this runs a shell command (what a malicious checkpoint
    does)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def test_a_refused_download_never_stays_in_the_cache(zoo, tmp_path):
    """A checkpoint with a malicious pickle, served from an address, is
    refused by safe loading and is not left where other loaders look: later
    and offline, mmengine's own loader (this package not imported) finds
    nothing to load, and the payload never runs."""
    from mmengine.runner import CheckpointLoader
    marker = tmp_path / 'payload_ran'
    torch.save(dict(state_dict=dict(w=torch.ones(1)),
                    meta=dict(evil=_Payload(marker))),
               osp.join(os.environ['TORCH_HOME'], 'evil.pth'))
    data = open(osp.join(os.environ['TORCH_HOME'], 'evil.pth'), 'rb').read()
    url = zoo.add('/mmpose/m/evil_20240101.pth', data)
    with pytest.raises(DownloadError) as err:
        CheckpointLoader.load_checkpoint(url)
    message = str(err.value)
    assert '\n' not in message and url in message
    assert 'refused by safe loading' in message and 'nothing was kept' in \
        message
    assert cache_files() == []  # neither the file nor a .part
    assert not marker.exists()
    zoo.close()  # offline from here
    plain = subprocess.run(
        [sys.executable, '-c',
         'import sys\n'
         'from mmengine.runner import CheckpointLoader\n'
         'try:\n'
         f'    CheckpointLoader.load_checkpoint({url!r})\n'
         'except Exception as err:\n'
         '    sys.exit(type(err).__name__)\n'],
        env=dict(os.environ), text=True, capture_output=True, timeout=300)
    assert plain.returncode != 0, plain.stdout
    assert not marker.exists()
    assert cache_files() == []


def test_a_cached_file_that_fails_to_load_says_how_to_fetch_it_again(zoo):
    from mmengine.runner import CheckpointLoader
    url = zoo.url('/mmpose/m/broken_20240101.pth')
    cached = cached_path(url)
    os.makedirs(osp.dirname(cached), exist_ok=True)
    with open(cached, 'w') as f:
        f.write('not a checkpoint')
    with pytest.raises(RuntimeError) as err:
        CheckpointLoader.load_checkpoint(url)
    message = str(err.value)
    assert f'delete {cached} to download it again' in message
    assert '\n' not in message


def test_a_killed_download_leaves_no_part_file_behind(zoo):
    torch.save(dict(state_dict=dict(w=torch.ones(2))),
               osp.join(os.environ['TORCH_HOME'], 'c.pth'))
    data = open(osp.join(os.environ['TORCH_HOME'], 'c.pth'), 'rb').read()
    url = zoo.add('/mmpose/m/ok_20240101.pth', data)
    cached = cached_path(url)
    os.makedirs(osp.dirname(cached), exist_ok=True)
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                          text=True, capture_output=True).stdout.strip()
    with open(f'{cached}.{dead}.part', 'wb') as f:
        f.write(data[:10])  # what a killed download leaves
    assert download(url, progress=False) == cached
    assert cache_files() == [osp.basename(cached)]


def test_video_demo_refuses_a_malicious_checkpoint_in_one_line(tmp_path):
    marker = tmp_path / 'payload_ran'
    ckpt = tmp_path / 'evil.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(1)),
                    meta=dict(evil=_Payload(marker))), ckpt)
    out = subprocess.run(
        [sys.executable, 'demo/video_demo.py', osp.join(DATA, 'demo.mp4'),
         TINY_CFG, str(ckpt), '--det-model', 'whole_image', '--out-dir',
         str(tmp_path / 'out')], cwd=ROOT, text=True, capture_output=True,
        timeout=600)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert 'Traceback' not in out.stderr
    assert lines[-1].startswith(f'video_demo: checkpoint {ckpt} was refused '
                                'by safe loading: it asks to load posix.system')
    assert not marker.exists()


def test_a_trickling_download_meets_its_deadline(zoo):
    """A server sending a byte at a time never trips the per-read timeout;
    the overall deadline ends the download with one line, nothing kept."""
    import time
    url = zoo.url('/trickle.pth')
    start = time.monotonic()
    with pytest.raises(DownloadError) as err:
        download(url, progress=False, deadline=1)
    assert time.monotonic() - start < 30
    message = str(err.value)
    assert 'still downloading after 1 s' in message
    assert 'TDMI_DOWNLOAD_DEADLINE' in message and '\n' not in message
    assert cache_files() == []


def test_two_addresses_with_one_file_name_do_not_share_a_cache_entry(zoo):
    """``.../a/model.pth`` then ``.../b/model.pth``: the second is not given
    the first's weights without a word."""
    for name in ('a', 'b'):
        torch.save(dict(state_dict=dict(w=torch.full((2, ), float(ord(
            name))))), osp.join(os.environ['TORCH_HOME'], f'{name}.pth'))
    first = zoo.add('/a/model.pth', open(osp.join(
        os.environ['TORCH_HOME'], 'a.pth'), 'rb').read())
    second = zoo.add('/b/model.pth', open(osp.join(
        os.environ['TORCH_HOME'], 'b.pth'), 'rb').read())
    assert download(first, progress=False) == cached_path(first)
    assert download(first, progress=False) == cached_path(first)  # again
    with pytest.raises(DownloadError) as err:
        download(second, progress=False)
    message = str(err.value)
    assert 'from another address with the same file name' in message
    assert first in message and second in message and '\n' not in message
