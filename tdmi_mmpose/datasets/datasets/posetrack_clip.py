"""PoseTrack-style video datasets: each person's key frame and neighbours."""
import json
import logging
import os.path as osp
import re

import numpy as np
from mmengine.logging import print_log
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from ...utils.boxes import box_problems, is_number
from ...utils.files import read_json

_FRAME_RE = re.compile(r'^(.*?)(\d+)(\.[^.]+)$')


def neighbour_frame_paths(key_path, first, last, offsets):
    """Paths of the frames ``key + offset`` of a video, in offset order.

    The frame number and its zero padding are read from the key frame's file
    name (``000042.jpg`` -> 42, six digits); neighbours outside
    ``[first, last]`` are replaced by the nearest valid frame.

    Args:
        key_path (str): Path of the key frame.
        first (int): Number of the first frame of the video.
        last (int): Number of the last frame of the video.
        offsets (Sequence[int]): Temporal offsets, e.g. ``(-2, ..., 2)``.

    Returns:
        list[str]: One path per offset.
    """
    folder, name = osp.split(key_path)
    match = _FRAME_RE.match(name)
    if match is None:
        raise ValueError(f'cannot read a frame number from {key_path!r}; '
                         'PoseTrack frames are named like 000042.jpg')
    prefix, digits, ext = match.groups()
    key = int(digits)
    if not first <= key <= last:
        raise ValueError(f'key frame {key_path} (number {key}) lies outside '
                         f'its video [{first}, {last}]; check nframes and '
                         'frame_index_base')
    return [
        osp.join(folder,
                 f'{prefix}{min(max(key + o, first), last):0{len(digits)}d}'
                 f'{ext}') for o in offsets
    ]


@DATASETS.register_module()
class PoseTrackClipDataset(BaseCocoStyleDataset):
    """PoseTrack18-format (COCO-style) video dataset for top-down models.

    Each sample is one annotated (or, with ``bbox_file``, detected) person in
    a key frame ``t`` with the frames ``t-delta ... t+delta`` of its video,
    listed in temporal order in ``frame_paths`` (the key frame is the centre
    one); ``img_path`` stays the key frame's path. Frame numbers and their
    zero padding come from each image's ``file_name``; the video's frame
    range is ``[frame_index_base, frame_index_base + nframes - 1]`` with
    ``nframes`` from the image entry (or, if absent, the numbers of the
    video's images listed in the annotation file); neighbours outside it are
    replaced by the nearest valid frame.

    Bad input files give errors that name them: an annotation or detection
    file that is not JSON, a detection file without person detections.
    Detections whose box is not finite, has no area (``w <= 0`` or
    ``h <= 0``) or lies wholly outside its image are dropped, with one log
    line that counts them.

    Args:
        delta (int): Temporal span: ``delta`` previous and next frames
            (Sec. 4.1: 2). Default: 2.
        frame_index_base (int): Number of a video's first frame: 0 for
            PoseTrack18/21, 1 for the renamed PoseTrack17 frames.
        det_score_thr (float): With ``bbox_file``: drop detections scoring
            below this (prior work: 0.2). Default: 0.2.
        **kwargs: Arguments of :class:`BaseCocoStyleDataset` (``ann_file``,
            ``data_root``, ``data_prefix``, ``bbox_file``, ``pipeline``,
            ``test_mode``, ...).
    """

    METAINFO = dict(from_file='configs/_base_/datasets/posetrack18.py')
    default_frame_index_base = 0

    def __init__(self,
                 delta=2,
                 frame_index_base=None,
                 det_score_thr=0.2,
                 filter_cfg=None,
                 **kwargs):
        if delta < 0:
            raise ValueError(f'delta must be >= 0, got {delta}')
        self.offsets = tuple(range(-delta, delta + 1))
        self.frame_index_base = (self.default_frame_index_base
                                 if frame_index_base is None else
                                 frame_index_base)
        if kwargs.get('bbox_file') and filter_cfg is None:
            filter_cfg = dict(bbox_score_thr=det_score_thr)
        self._video_ranges = {}
        super().__init__(filter_cfg=filter_cfg, **kwargs)

    def _frame_range(self, img):
        """``(first, last)`` frame numbers of the video of image ``img``."""
        folder = osp.dirname(img['file_name'])
        if folder not in self._video_ranges:
            if img.get('nframes'):
                first = self.frame_index_base
                last = first + int(img['nframes']) - 1
            else:
                numbers = self._listed_frame_numbers()[folder]
                first, last = min(numbers), max(numbers)
            self._video_ranges[folder] = (first, last)
        return self._video_ranges[folder]

    def _listed_frame_numbers(self):
        """``{video folder: frame numbers}`` of the images in the annotation
        file (for files without ``nframes``), built once."""
        if not hasattr(self, '_listed_numbers'):
            self._listed_numbers = {}
            for i in self.coco.dataset['images']:
                match = _FRAME_RE.match(osp.basename(i['file_name']))
                if match:
                    self._listed_numbers.setdefault(
                        osp.dirname(i['file_name']),
                        []).append(int(match.group(2)))
        return self._listed_numbers

    def _frame_paths(self, img):
        first, last = self._frame_range(img)
        key_path = osp.join(self.data_prefix['img'], img['file_name'])
        return neighbour_frame_paths(key_path, first, last, self.offsets)

    def parse_data_info(self, raw_data_info):
        ann, img = raw_data_info['raw_ann_info'], raw_data_info[
            'raw_img_info']
        where = (f'{self.ann_file}, annotation {ann.get("id")} (image '
                 f'{img.get("file_name")})')
        k = self.metainfo['num_keypoints']
        if 'keypoints' in ann and len(ann['keypoints']) != 3 * k:
            raise ValueError(
                f'{where} has {len(ann["keypoints"])} keypoint values; this '
                f'dataset has {k} joints, so give {3 * k} (x, y, visibility '
                'per joint)')
        if 'bbox' in ann and (len(ann['bbox']) != 4 or not np.all(
                np.isfinite(np.asarray(ann['bbox'], dtype=np.float64)))):
            raise ValueError(f'{where}: bbox {ann["bbox"]} must be 4 finite '
                             'numbers [x, y, w, h]')
        data_info = super().parse_data_info(raw_data_info)
        if data_info is None:
            return None
        x1, y1, x2, y2 = data_info['bbox'][0]
        if x2 <= x1 or y2 <= y1:
            # no area (inside the image): the crop would be one pixel
            self._empty_gt_boxes += 1
            return None
        data_info['frame_paths'] = self._frame_paths(img)
        return data_info

    def load_data_list(self):
        self._empty_gt_boxes = 0
        data_list = super().load_data_list()
        if self._empty_gt_boxes:
            print_log(
                f'{self.ann_file}: dropped {self._empty_gt_boxes} people '
                'whose bbox has no area inside its image (a crop of it '
                'would be one pixel); fix their bbox to use them',
                logger='current', level=logging.WARNING)
        return data_list

    def _load_annotations(self):
        try:
            return super()._load_annotations()
        except json.JSONDecodeError as err:
            raise ValueError(f'{self.ann_file} is not a JSON file ({err}); '
                             'give the PoseTrack18-format annotation file'
                             ) from err

    def _load_detection_results(self):
        dets = read_json(self.bbox_file, hint='give person detections in '
                         'the COCO result format')
        _check_detections(dets, self.bbox_file)
        data_list = super()._load_detection_results()
        if not data_list:
            raise ValueError(
                f'{self.bbox_file} holds no person detection (category_id '
                '1); give the detections of this annotation file '
                f'({self.ann_file}) in the COCO result format')
        problems = box_problems(
            np.concatenate([d['bbox'] for d in data_list]),
            np.array([d['img_shape'] for d in data_list]))
        dropped = {key: int(mask.sum()) for key, mask in problems.items()}
        unusable = sum(problems.values()).astype(bool)
        kept = []
        for data_info, bad in zip(data_list, unusable):
            if bad:
                continue
            img = self.coco.loadImgs(data_info['img_id'])[0]
            data_info['frame_paths'] = self._frame_paths(img)
            kept.append(data_info)
        summary = (f'dropped {sum(dropped.values())} of {len(data_list)} '
                   f'detections ({dropped["non_finite"]} not finite, '
                   f'{dropped["empty"]} without area, {dropped["outside"]} '
                   'outside their image)')
        if not kept:
            raise ValueError(
                f'{self.bbox_file}: no usable person detection: {summary}; '
                'boxes are [x, y, w, h] in pixels of the images of '
                f'{self.ann_file}')
        if sum(dropped.values()):
            print_log(f'{self.bbox_file}: {summary}', logger='current',
                      level=logging.WARNING)
        return kept


def _check_detections(dets, path):
    """Errors naming the entry of a COCO result list (``image_id``,
    ``bbox`` of 4 numbers, ``score``, ``category_id``) that cannot be
    read."""
    if not isinstance(dets, list):
        raise ValueError(f'{path} must hold a list of detections in the COCO '
                         'result format')
    for i, d in enumerate(dets):
        missing = ([] if not isinstance(d, dict) else
                   [key for key in ('image_id', 'bbox', 'score',
                                    'category_id') if key not in d])
        if not isinstance(d, dict) or missing:
            raise ValueError(f'{path}, detection {i}: lacks {missing or "all"}'
                             ' of image_id, bbox [x, y, w, h], score, '
                             'category_id (1 = person)')
        bbox = d['bbox']
        if not isinstance(bbox, list) or len(bbox) != 4 or not all(
                map(is_number, bbox)):
            raise ValueError(f'{path}, detection {i} (image {d["image_id"]})'
                             f': bbox {bbox!r} must be 4 numbers '
                             '[x, y, w, h]')


@DATASETS.register_module()
class PoseTrack17ClipDataset(PoseTrackClipDataset):
    """PoseTrack17 converted to the PoseTrack18 format by
    ``tools/dataset_converters/posetrack17_to_coco.py`` (frames renamed to
    8-digit, 1-based names)."""
    default_frame_index_base = 1


@DATASETS.register_module()
class PoseTrack18ClipDataset(PoseTrackClipDataset):
    """PoseTrack18 (6-digit, 0-based frame names)."""


@DATASETS.register_module()
class PoseTrack21ClipDataset(PoseTrackClipDataset):
    """PoseTrack21 pose annotations (``posetrack_data/``, 6-digit, 0-based
    frames). Its ``image_id`` keys and visibility flags are those of the
    PoseTrack18 format the parser reads; a joint is annotated when its
    visibility is positive."""


@DATASETS.register_module()
class HiEveClipDataset(PoseTrackClipDataset):
    """HiEve converted to the PoseTrack18 format by
    ``tools/dataset_converters/hieve_to_coco.py`` (6-digit, 0-based frame
    names, as HiEve numbers its frames)."""
