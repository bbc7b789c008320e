"""Unlabelled videos as clips around tracked people, for learning from a
user's own footage (no keypoint labels)."""
import hashlib
import json
import logging
import os
import os.path as osp
import re
import time

import cv2
import numpy as np
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from ...utils.frames import IMAGE_EXTS, frame_files, natural_key

VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg',
              '.mpeg', '.wmv', '.flv')
CACHE_VERSION = 1


def list_videos(source):
    """The videos of ``source``: ``[(name, path, kind)]`` with ``kind``
    ``'file'`` (a video file) or ``'frames'`` (a folder of images, read in
    natural order of their names).

    Args:
        source (str | list[str]): A folder (its video files and frame
            folders, recursively; a folder holding images is one video), a
            text file listing one video or frame folder per line (relative
            to the list's folder; ``#`` starts a comment), or a list of
            paths.

    Returns:
        list[tuple[str, str, str]]: Sorted by name; names are unique.
    """
    listed = isinstance(source, (list, tuple)) or (
        osp.isfile(source) and not source.lower().endswith(VIDEO_EXTS))
    if isinstance(source, (list, tuple)):
        paths = list(source)
    elif listed:
        base = osp.dirname(osp.abspath(source))
        with open(source) as f:
            paths = [osp.join(base, line.split('#')[0].strip())
                     for line in f if line.split('#')[0].strip()]
    elif osp.exists(source):
        paths = [source]
    else:
        raise FileNotFoundError(f'videos {source!r} do not exist: give a '
                                'folder of videos or frame folders, or a '
                                'text file listing them')
    found = []  # (path, kind, the folder its name is relative to)
    for path in paths:
        parent = osp.dirname(osp.abspath(path))
        if osp.isfile(path):
            if not path.lower().endswith(VIDEO_EXTS):
                raise ValueError(f'{path} is not a video file (known '
                                 f'endings: {", ".join(VIDEO_EXTS)})')
            found.append((path, 'file', parent))
            continue
        if not osp.isdir(path):
            raise FileNotFoundError(f'video {path} (listed in {source}) '
                                    'does not exist')
        base = parent if listed else osp.abspath(path)
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted((d for d in dirs if not d.startswith('.')),
                             key=natural_key)
            if any(f.lower().endswith(IMAGE_EXTS) for f in files):
                found.append((folder, 'frames', base))
            found += [(osp.join(folder, f), 'file', base) for f in sorted(
                files, key=natural_key) if f.lower().endswith(VIDEO_EXTS)]
    if not found:
        raise ValueError(
            f'{source}: no videos found (files ending in '
            f'{", ".join(VIDEO_EXTS)}, or folders of '
            f'{"/".join(IMAGE_EXTS)} frames); give a folder that holds them')
    out, seen = [], set()
    for path, kind, base in found:
        rel = osp.relpath(osp.abspath(path), base)
        if rel == '.':
            rel = osp.basename(osp.abspath(path))
        name = re.sub(r'[^A-Za-z0-9_.-]+', '_',
                      osp.splitext(rel)[0] if kind == 'file' else rel)
        while name in seen:
            name += '_'
        seen.add(name)
        out.append((name, path, kind))
    if not listed:  # a list keeps its order
        out.sort(key=lambda v: natural_key(v[0]))
    return out


def fingerprint(path, kind, boxes_file=None):
    """A hash of what a video's cache depends on: a file's size and
    modification time, or a frame folder's file names and sizes, and the
    content of its boxes file if it has one."""
    if kind == 'file':
        st = os.stat(path)
        parts = [osp.abspath(path), st.st_size, st.st_mtime_ns]
    else:
        parts = [osp.abspath(path)] + [
            (f, os.stat(osp.join(path, f)).st_size) for f in frame_files(path)]
    if boxes_file and osp.isfile(boxes_file):
        with open(boxes_file, 'rb') as f:
            parts.append(hashlib.sha256(f.read()).hexdigest())
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@DATASETS.register_module()
class UnlabelledVideoDataset(BaseCocoStyleDataset):
    """Clips of ``2*delta + 1`` frames around tracked people of unlabelled
    videos: the input of :class:`VideoTopdownAdapter`.

    The people of every frame are found once, as :class:`VideoPoseInferencer`
    finds them: :class:`PersonDetector` (mmpose's default person detector,
    another mmdet detector, or the whole frame) or boxes files written by
    ``demo/video_demo.py --save-bboxes`` (``boxes_dir/<video name>.json``),
    then kept as one person across the video by an mmdet tracker
    (ByteTrack), unless the boxes file gives track ids. Decoded frames of
    video files, the people and their ids go into ``cache_dir``; a second
    epoch or run reads them from there. A video whose file (size or
    modification time), frames or detector settings changed since is
    detected again, with a warning naming it.

    Each sample is one tracked person at a key frame (every
    ``key_frame_stride``-th frame) followed by the tracker in at least
    ``min_track_frames`` of the clip's frames; all frames of the clip are
    cropped with the key frame's box (as the labelled datasets do), and at
    a video's ends the clip repeats its first or last frame. Videos that
    cannot be read, or in which nobody is found, are skipped, counted and
    named at the end of loading.

    Args:
        videos (str | list[str]): A folder of videos and frame folders, a
            list file, or a list of paths (:func:`list_videos`); relative
            to ``data_root``.
        cache_dir (str): Where frames, people and the manifest go.
        delta (int): Frames on each side of the key frame. Default: 2.
        key_frame_stride (int): Every how many frames a key frame is taken.
            Default: 1.
        min_track_frames (int, optional): A person must be tracked in at
            least this many frames of the clip. Default: None, all
            ``2*delta + 1``.
        detector (dict): Arguments of :class:`PersonDetector`
            (``det_model``, ``det_weights``, ``det_cat_ids``, ``bbox_thr``,
            ``nms_thr``, ``device``). Default: mmpose's default person
            detector.
        boxes_dir (str, optional): Boxes files per video, instead of the
            detector.
        tracker (dict, optional): mmdet tracker config. Default: ByteTrack
            (mmdet's MOT17 settings).
        max_side (int, optional): Frames of video files are stored with
            their longer side at most this. Default: None (as decoded).
        **kwargs: Arguments of :class:`BaseCocoStyleDataset`
            (``data_root``, ``pipeline``, ``metainfo``, ...).
    """

    METAINFO = dict(from_file='configs/_base_/datasets/posetrack18.py')

    def __init__(self, videos, cache_dir, delta=2, key_frame_stride=1,
                 min_track_frames=None, detector=None, boxes_dir=None,
                 tracker='bytetrack', max_side=None, **kwargs):
        if delta < 0 or key_frame_stride < 1:
            raise ValueError('delta must be >= 0 and key_frame_stride >= 1, '
                             f'got {delta} and {key_frame_stride}')
        self.videos = videos
        self.cache_dir = cache_dir
        self.delta = delta
        self.key_frame_stride = key_frame_stride
        self.min_track_frames = (2 * delta + 1 if min_track_frames is None
                                 else min_track_frames)
        self.detector_cfg = dict(detector or {})
        self.boxes_dir = boxes_dir
        self.tracker_cfg = tracker
        self.max_side = max_side
        self.skipped = {}
        kwargs.setdefault('ann_file', '')
        kwargs.setdefault('data_mode', 'topdown')
        super().__init__(**kwargs)

    # -- paths ---------------------------------------------------------
    def _root(self, path):
        if path and self.data_root and not osp.isabs(path):
            return osp.join(self.data_root, path)
        return path

    def _tracker(self):
        if self.tracker_cfg == 'bytetrack':
            from ...apis.inferencers.utils.person_tracker import bytetrack
            return bytetrack()
        return self.tracker_cfg

    def _people_identity(self):
        if self.boxes_dir:
            return dict(boxes_dir=osp.abspath(self._root(self.boxes_dir)),
                        tracker=self._tracker())
        det = dict(dict(det_model=None, det_weights=None, det_cat_ids=0,
                        bbox_thr=0.3, nms_thr=0.3), **self.detector_cfg)
        det.pop('device', None)
        return dict(detector=det, tracker=self._tracker(),
                    max_side=self.max_side)

    # -- loading -------------------------------------------------------
    def load_data_list(self):
        source = self.videos
        if isinstance(source, str):
            source = self._root(source)
        else:
            source = [self._root(p) for p in source]
        videos = list_videos(source)
        cache = self._root(self.cache_dir)
        os.makedirs(cache, exist_ok=True)
        rank, world = get_dist_info()
        if rank == 0:
            manifest = self._prepare(videos, cache)
        if world > 1:
            barrier()
        if rank != 0:
            manifest = self._read_manifest(cache)
        return self._samples(videos, cache, manifest)

    def _read_manifest(self, cache):
        path = osp.join(cache, 'manifest.json')
        if not osp.isfile(path):
            return dict(version=CACHE_VERSION, videos={})
        try:
            with open(path) as f:
                manifest = json.load(f)
        except json.JSONDecodeError:
            print_log(f'{path} is not readable JSON (a run stopped while '
                      'writing it?): finding the people again',
                      logger='current', level=logging.WARNING)
            return dict(version=CACHE_VERSION, videos={})
        if manifest.get('version') != CACHE_VERSION:
            return dict(version=CACHE_VERSION, videos={})
        return manifest

    def _write_manifest(self, cache, manifest):
        path = osp.join(cache, 'manifest.json')
        with open(path + '.part', 'w') as f:
            json.dump(manifest, f, indent=1)
        os.replace(path + '.part', path)

    def _prepare(self, videos, cache):
        """Frames and people of every video not yet in the cache (or changed
        since); returns the manifest."""
        manifest = self._read_manifest(cache)
        identity = self._people_identity()
        entries = manifest.setdefault('videos', {})
        todo = []
        for name, path, kind in videos:
            entry = entries.get(name)
            fp = fingerprint(path, kind, self._boxes_file(name))
            if entry is not None and entry.get('fingerprint') == fp and \
                    entry.get('people_identity') == identity:
                continue
            if entry is not None:
                why = ('the video changed since' if entry.get('fingerprint')
                       != fp else 'the detector or tracker settings changed')
                print_log(f'{path}: {why} the cache {cache} was written: '
                          'finding its people again', logger='current',
                          level=logging.WARNING)
            todo.append((name, path, kind, fp))
        if todo:
            detector = None if self.boxes_dir else self._detector()
            start = time.time()
            for i, (name, path, kind, fp) in enumerate(todo):
                entries[name] = self._prepare_video(name, path, kind, cache,
                                                    detector)
                entries[name].update(fingerprint=fp,
                                     people_identity=identity)
                self._write_manifest(cache, manifest)
                done = time.time() - start
                left = done / (i + 1) * (len(todo) - i - 1)
                print_log(f'people of {i + 1}/{len(todo)} videos found '
                          f'({name}: {entries[name]["status"]}, '
                          f'{entries[name].get("num_frames", 0)} frames); '
                          f'{done:.0f} s, about {left:.0f} s left',
                          logger='current')
        self._write_manifest(cache, manifest)
        return manifest

    def _boxes_file(self, name):
        """The boxes file of video ``name`` (None without ``boxes_dir``)."""
        if not self.boxes_dir:
            return None
        return osp.join(self._root(self.boxes_dir), f'{name}.json')

    def _detector(self):
        from ...apis.people import PersonDetector
        return PersonDetector(**self.detector_cfg)

    def _frames(self, name, path, kind, cache):
        """Paths of a video's frames (video files decoded into the cache),
        or an error message."""
        if kind == 'frames':
            return [osp.join(path, f) for f in frame_files(path)]
        if os.path.getsize(path) == 0:
            return 'the file is empty (0 bytes)'
        cap = cv2.VideoCapture(path)
        if not cap.isOpened():
            return 'it cannot be opened as a video'
        folder = osp.join(cache, 'frames', name)
        os.makedirs(folder, exist_ok=True)
        paths = []
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if self.max_side and max(frame.shape[:2]) > self.max_side:
                scale = self.max_side / max(frame.shape[:2])
                frame = cv2.resize(frame, None, fx=scale, fy=scale,
                                   interpolation=cv2.INTER_AREA)
            out = osp.join(folder, f'{len(paths):06d}.jpg')
            cv2.imwrite(out, frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
            paths.append(out)
        cap.release()
        if not paths:
            return 'no frame could be decoded'
        return paths

    def _prepare_video(self, name, path, kind, cache, detector):
        frames = self._frames(name, path, kind, cache)
        if isinstance(frames, str):
            return dict(status='unreadable', reason=frames)
        if self.boxes_dir:
            from ...utils.boxes import boxes_from_json, check_boxes_video
            boxes_file = self._boxes_file(name)
            if not osp.isfile(boxes_file):
                return dict(status='unreadable',
                            reason=f'no boxes file {boxes_file}')
            check_boxes_video(boxes_file, osp.basename(path), len(frames))
            dets = boxes_from_json(boxes_file)
            dets += [np.zeros((0, 5), np.float32)] * (len(frames) - len(dets))
            ids = _given_track_ids(boxes_file, len(frames))
        else:
            dets = []
            for i, frame_path in enumerate(frames):
                img = cv2.imread(frame_path)
                if img is None:
                    return dict(status='unreadable',
                                reason=f'frame {frame_path} cannot be decoded')
                dets.append(detector(img, f'{path}, frame {i}'))
            ids = None
        if ids is None:
            from ...apis.people import track_people
            ids = track_people(dets, self._tracker())
        people = [[dict(bbox=[float(v) for v in d[:4]], score=float(d[4]),
                        track_id=int(t)) for d, t in zip(fd, fi)]
                  for fd, fi in zip(dets, ids)]
        status = 'ok' if any(p['track_id'] >= 0 for f in people
                             for p in f) else 'no_people'
        out = osp.join(cache, f'{name}.people.json')
        with open(out + '.part', 'w') as f:
            json.dump(dict(video=path, frames=frames, people=people), f)
        os.replace(out + '.part', out)
        return dict(status=status, num_frames=len(frames))

    def _samples(self, videos, cache, manifest):
        data_list, skipped = [], {}
        entries = manifest['videos']
        img_id = 0
        for name, path, _ in videos:
            entry = entries.get(name, {})
            if entry.get('status') != 'ok':
                skipped[path] = (entry.get('reason') or
                                 'nobody was detected and tracked in it')
                continue
            with open(osp.join(cache, f'{name}.people.json')) as f:
                people = json.load(f)
            frames, per_frame = people['frames'], people['people']
            present = [{p['track_id'] for p in f} for f in per_frame]
            n = len(frames)
            for t in range(0, n, self.key_frame_stride):
                window = [min(max(t + o, 0), n - 1)
                          for o in range(-self.delta, self.delta + 1)]
                for person in per_frame[t]:
                    tid = person['track_id']
                    if tid < 0 or sum(tid in present[w]
                                      for w in window) < \
                            self.min_track_frames:
                        continue
                    data_list.append(dict(
                        id=len(data_list), img_id=img_id + t,
                        img_path=frames[t],
                        frame_paths=[frames[w] for w in window],
                        bbox=np.array([person['bbox']], np.float32),
                        bbox_score=np.array([person['score']], np.float32),
                        track_id=tid, video=name, frame_index=t,
                        category_id=1))
            img_id += n
        self.skipped = skipped
        if skipped:
            lines = '; '.join(f'{p}: {why}' for p, why in skipped.items())
            print_log(f'{len(skipped)} of {len(videos)} videos skipped: '
                      f'{lines}', logger='current', level=logging.WARNING)
        if not data_list:
            raise ValueError(
                f'no tracked person in the videos of {self.videos} '
                f'({len(skipped)} of {len(videos)} skipped). Check that '
                'people are visible, lower the detector threshold '
                '(detector.bbox_thr) or min_track_frames, or give boxes '
                'files (boxes_dir)')
        print_log(f'{len(data_list)} clips around tracked people in '
                  f'{len(videos) - len(skipped)} videos (cache: {cache})',
                  logger='current')
        return data_list


def _given_track_ids(path, num_frames):
    """Per frame, the ``track_id`` s of a boxes file, or None when any
    detection lacks one (the tracker then runs)."""
    with open(path) as f:
        data = json.load(f)
    dets = data['detections'] if isinstance(data, dict) else data
    if not dets or any('track_id' not in d for d in dets):
        return None
    ids = [[] for _ in range(num_frames)]
    for d in dets:
        ids[d['image_id']].append(int(d['track_id']))
    return [np.asarray(i, np.int64) for i in ids]
