"""Video pose inferencer: mmdet detection, mmdet tracking, TDMI poses."""
import json
import os
import os.path as osp
import warnings
from collections import deque

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.evaluation.functional import nms
from mmpose.registry import INFERENCERS
from mmpose.structures import PoseDataSample, merge_data_samples

from ...utils.boxes import is_number
from ..inference import as_bgr_uint8, check_video_model, person_boxes

BYTETRACK = dict(type='ByteTracker', motion=dict(type='KalmanFilter'),
                 obj_score_thrs=dict(high=0.6, low=0.1), init_track_thr=0.7,
                 weight_iou_with_det_scores=True,
                 match_iou_thrs=dict(high=0.1, low=0.5, tentative=0.3),
                 num_frames_retain=30)


def bytetrack(track_thr=None):
    """mmdet's ByteTrack config (MOT17 settings: tracks start at box score
    0.7 and are first matched from 0.6), or with both thresholds lowered to
    ``track_thr`` for a detector whose scores stay lower."""
    if track_thr is None:
        return dict(BYTETRACK)
    return dict(BYTETRACK, init_track_thr=track_thr,
                obj_score_thrs=dict(high=track_thr, low=0.1))


@INFERENCERS.register_module(name='tdmi')
@INFERENCERS.register_module()
class VideoPoseInferencer(Pose2DInferencer):
    """mmpose's 2D inferencer for video pose models (TDMI): every frame's
    people are detected once (an mmdet detector, or boxes given), tracked
    with an mmdet tracker (ByteTrack by default), and each person's pose in
    a frame is estimated from the clip ``t-delta ... t+delta`` around it,
    all frames cropped with that frame's box.

    Call conventions are :class:`MMPoseInferencer`'s: inputs are a video
    path, an image folder, a list of frames (paths or arrays) or a generator
    of frames (a live stream, written like a video at ``stream_fps``); the
    call is a generator of one result per frame, in frame order, with
    ``predictions`` (keypoints, keypoint_scores, bbox, bbox_score,
    track_id per person) and ``visualization``.

    Frames are decoded once and held in a buffer of ``2*delta + 1``: at most
    ``delta`` frames after the one being estimated. At a video's ends the
    neighbours are clipped to its first/last frame, as the datasets clip
    them. ``online=True`` reads no future frame: the clip of frame ``t`` is
    ``t-delta ... t`` with ``t`` repeated after it (as if the video ended
    at ``t``), and results come without delay.

    By default (``reuse_features=True``, ``reuse_align=True``) backbone
    features are shared between the ``2*delta + 1`` clips that hold a
    frame: each person is cropped once per frame, with the person's own
    box there (found by track id; the key frame's box for a person not
    tracked in that frame), and a clip warps its neighbours' feature maps
    into the key frame's crop (an axis-aligned resampling of each stage,
    :func:`warp_to_crop`), so the neighbours stay aligned with the key crop
    as in the paper's protocol while the backbone runs about once per
    person and frame, as in a single-frame pipeline (on the built-in
    videos as accurate as per clip: see the README's Performance section).
    ``reuse_features=False`` is the paper's per-clip protocol: every frame
    of a clip cropped with the key frame's box, the backbone run
    ``2*delta + 1`` times per person and frame. ``reuse_align=False``
    reuses without warping: frame ``s`` of a clip takes a crop of ``s``
    already computed whose box is within ``reuse_tolerance`` of the key
    frame's box (centres apart by at most that fraction of the box's width
    and height, sizes within that factor of 1), else crops ``s`` anew with
    the key frame's box; a tolerance of 0 is then exactly the per-clip
    protocol, and larger ones suit models trained with
    ``RandomNeighbourCrop``. The new crops of a frame go through the
    backbone in one batch. A model config can set these defaults in
    ``model.test_cfg`` (``reuse_features``, ``reuse_align``,
    ``reuse_tolerance``).

    A frame whose size differs from its neighbours' (a stream that changes
    resolution) is not mixed with them: the clip's frames of another size
    are replaced by the nearest frame of the key frame's size. The
    feature cache holds the frames of one clip span, so memory stays flat
    over a long video.

    Args:
        model (str): Config of a video pose model, or a model name or
            alias of this package's metafile (``'tdmi'``, ``'tdmi-st'``:
            the paper's PoseTrack17 models; ``mim search tdmi_mmpose``
            lists them). Named models come without weights: give
            ``weights``.
        weights (str, optional): Its checkpoint, or with ``warm_start``
            a single-frame top-down checkpoint with the config's backbone
            (mmpose's HRNet-W48 PoseTrack18 or COCO models, your own).
        device (str, optional): Device. Default: CUDA if available.
        det_model (str, optional): mmdet config; None (and no ``bboxes``
            at call time) uses the whole frame as one person, as mmpose.
        det_weights (str, optional): mmdet checkpoint.
        det_cat_ids (int | tuple): Person category ids of the detector.
            Default: 0.
        tracker (dict, optional): mmdet tracker config (scope ``mmdet``);
            None gives every person of every frame the id -1. Default:
            ByteTrack with mmdet's MOT17 settings (tracks start at box
            score 0.7: for a detector with lower scores use
            :func:`bytetrack` with a lower ``track_thr``). People the
            tracker does not report keep their pose with id -1.
        stream_fps (float): Frame rate written for generator inputs.
        show_progress (bool): Show a progress bar.
        reuse_features (bool, optional): Share each crop's backbone
            features between clips (see above); False is per clip.
            Default: None, the model config's
            ``model.test_cfg.reuse_features`` (True if unset).
        reuse_tolerance (float, optional): How far a reused crop's box
            may be from the box asked for (see above). Default: None,
            the model config's ``model.test_cfg.reuse_tolerance`` (0.05 if
            unset).
        reuse_align (bool, optional): With ``reuse_features``, crop each
            person once per frame with its own box and warp neighbours'
            features into the key crop (see above). Default: None, the
            model config's ``model.test_cfg.reuse_align`` (True if unset).
        backend (str): ``'pytorch'`` or ``'onnxruntime'``: the pose
            network runs in onnxruntime from ``onnx_file`` (exported from
            this config by ``tools/deployment/pytorch2onnx.py``); the data
            preprocessor, flip test and decoding stay the torch model's.
            Default: ``'pytorch'``.
        onnx_file (str, optional): The ONNX file, with
            ``backend='onnxruntime'``.
        warm_start (bool): ``weights`` is a single-frame checkpoint: the
            video model is warm-started from it (backbone and detection
            head copied, the neighbour frames entering at zero, so it
            estimates as that single-frame model does until fine-tuned:
            :mod:`tdmi_mmpose.models.utils.warm_start`). Default: False.
    """

    preprocess_kwargs = {'bbox_thr', 'nms_thr', 'bboxes', 'online'}

    def __init__(self, model, weights=None, device=None, scope='mmpose',
                 det_model=None, det_weights=None, det_cat_ids=0,
                 tracker=bytetrack(), stream_fps=25.0, show_progress=False,
                 reuse_features=None, reuse_tolerance=None,
                 reuse_align=None, backend='pytorch', onnx_file=None,
                 warm_start=False):
        if backend not in ('pytorch', 'onnxruntime'):
            raise ValueError(f"backend must be 'pytorch' or 'onnxruntime', "
                             f'got {backend!r}')
        if backend == 'onnxruntime' and (onnx_file is None or
                                         reuse_features):
            raise ValueError(
                "backend='onnxruntime' runs the exported network: give "
                'onnx_file (tools/deployment/pytorch2onnx.py writes it), '
                'without reuse_features (which needs the backbone apart)')
        if warm_start and not weights:
            raise ValueError('warm_start=True warm-starts the video model '
                             'from weights=<single-frame checkpoint>: give '
                             'weights')
        # read by _load_weights_to_model while the base class builds
        self._warm_start_from = weights if warm_start else None
        super().__init__(model, weights, device, scope, det_model,
                         det_weights, det_cat_ids, show_progress)
        self.network = self.model
        if backend == 'onnxruntime':
            from ..deployment import ONNXRuntimePoseModel
            self.network = ONNXRuntimePoseModel(self.model, onnx_file)
        if reuse_features is None:
            reuse_features = backend == 'pytorch' and bool(
                self.model.test_cfg.get('reuse_features', True))
        self.reuse_features = reuse_features
        if reuse_tolerance is None:
            reuse_tolerance = self.model.test_cfg.get('reuse_tolerance', 0.05)
        if not reuse_tolerance >= 0:
            raise ValueError('reuse_tolerance must be >= 0, got '
                             f'{reuse_tolerance}')
        self.reuse_tolerance = reuse_tolerance
        if reuse_align is None:
            reuse_align = bool(self.model.test_cfg.get('reuse_align', True))
        self.reuse_align = reuse_align
        self._feature_cache = {}  # (frame, box) -> (feats, flipped, sample)
        self.num_frames = check_video_model(self.model)
        self.delta = self.num_frames // 2
        self.tracker_cfg = tracker
        self.stream_fps = stream_fps
        self._track_ids = []

    @property
    def reuse_mode(self):
        """How clips get their frames' features, in words (for logs)."""
        if not self.reuse_features:
            return 'off (per clip)'
        if self.reuse_align:
            return 'on (aligned: one crop per person and frame)'
        return f'on (crops within {self.reuse_tolerance:g} of the box)'

    def _load_model_from_metafile(self, model):
        """Config and weights of a model named (or aliased) in this
        package's metafile, else in mmpose's model zoo."""
        root = self._get_repo_or_mim_dir('tdmi_mmpose')
        for entry in self._get_models_from_metafile(root):
            aliases = entry.get('Alias', [])
            names = [entry['Name']] + (
                [aliases] if isinstance(aliases, str) else list(aliases))
            if model.lower() in (n.lower() for n in names):
                weights = entry.get('Weights')
                if weights is None:
                    warnings.warn(f"{model} ({entry['Name']}) has no "
                                  'published weights: give weights=<your '
                                  'checkpoint>')
                return Config.fromfile(osp.join(root, entry['Config'])), \
                    weights
        try:
            return super()._load_model_from_metafile(model)
        except ValueError as err:
            raise ValueError(
                f'{model!r} is neither a config file nor a model name of '
                'tdmi_mmpose or mmpose: `mim search tdmi_mmpose` lists the '
                'video models') from err

    def _load_weights_to_model(self, model, checkpoint, cfg):
        """mmpose's loading, or with ``warm_start`` the warm start from the
        single-frame checkpoint (the dataset meta then comes from the video
        model's config)."""
        if checkpoint is None or not self._warm_start_from:
            return super()._load_weights_to_model(model, checkpoint, cfg)
        from mmpose.apis.inference import dataset_meta_from_config

        from ...models.utils import warm_start
        warm_start(model, checkpoint, name=self._warm_start_from)
        model.dataset_meta = dataset_meta_from_config(cfg,
                                                      dataset_mode='train')

    def _init_pipeline(self, cfg):
        # mmpose's Pose2DInferencer reads these two; video configs that do
        # not set them are top-down models of their test dataset
        cfg.setdefault('data_mode', 'topdown')
        cfg.setdefault('dataset_type', cfg.test_dataloader.dataset.type)
        return super()._init_pipeline(cfg)

    def _init_detector(self, det_model=None, **kwargs):
        if det_model is None:
            self.detector = None
            return
        super()._init_detector(det_model=det_model, **kwargs)

    def _inputs_to_list(self, inputs):
        if isinstance(inputs, os.PathLike):
            inputs = os.fspath(inputs)
        if isinstance(inputs, str) and not os.path.exists(inputs):
            raise FileNotFoundError(f'input {inputs} does not exist')
        if isinstance(inputs, (str, np.ndarray, list, tuple)):
            try:
                return super()._inputs_to_list(inputs)
            except (AttributeError, ValueError) as err:
                raise ValueError(f'cannot read {inputs} as a video, an image '
                                 f'or a folder of images ({err})') from err
        # a generator of frames: a live stream, written as a video
        self._video_input = True
        self.video_info = dict(fps=self.stream_fps, name='stream.mp4',
                               writer=None, predictions=[])
        return inputs

    def _detections(self, image, index, bboxes, bbox_thr, nms_thr):
        """``(N, 5)`` person boxes with scores of one frame."""
        if bboxes is not None:  # frames after the listed ones: no boxes
            given = bboxes[index] if index < len(bboxes) else []
            boxes, scores = person_boxes(given, 'xyxy', image.shape,
                                         f'frame {index}')
            return np.concatenate([boxes, scores[:, None]], 1)
        if self.detector is None:
            h, w = image.shape[:2]
            return np.array([[0, 0, w, h, 1]], np.float32)
        pred = self.detector(image, return_datasamples=True)[
            'predictions'][0].pred_instances.cpu().numpy()
        keep = np.isin(pred.labels, self.det_cat_ids) & (
            pred.scores > bbox_thr)
        dets = np.concatenate([pred.bboxes, pred.scores[:, None]], 1)[keep]
        boxes, scores = person_boxes(dets, 'xyxy', image.shape,
                                     f'frame {index}')
        dets = np.concatenate([boxes, scores[:, None]], 1)
        return dets[nms(dets, nms_thr)] if len(dets) else dets

    def _track(self, dets, index):
        """Boxes ``(M, 5)`` and track ids ``(M,)`` of one frame."""
        if self.tracker is None:
            return dets, np.full(len(dets), -1)
        from mmdet.structures import DetDataSample
        sample = DetDataSample(metainfo=dict(frame_id=index))
        sample.pred_instances = InstanceData(
            bboxes=torch.from_numpy(dets[:, :4]).float(),
            scores=torch.from_numpy(dets[:, 4]).float(),
            labels=torch.zeros(len(dets), dtype=torch.long))
        tracks = self.tracker.track(sample)
        boxes = tracks.bboxes.cpu().numpy().reshape(-1, 4)
        scores = tracks.scores.cpu().numpy().reshape(-1, 1)
        ids = tracks.instances_id.cpu().numpy().reshape(-1)
        # people the tracker does not report (scores below its thresholds,
        # tracks not yet confirmed) keep their pose, with track id -1
        untracked = [d for d in dets if not len(boxes) or not np.any(
            np.abs(boxes - d[None, :4]).max(1) < 1e-3)]
        boxes = np.concatenate([boxes, scores], 1).astype(np.float32)
        if untracked:
            boxes = np.concatenate([boxes, np.asarray(untracked, np.float32)])
            ids = np.concatenate([ids, np.full(len(untracked), -1)])
        return boxes, ids

    def _build_tracker(self):
        if self.tracker_cfg is None:
            return None
        from mmdet.registry import MODELS as DET_MODELS
        with DefaultScope.overwrite_default_scope('mmdet'):
            return DET_MODELS.build(self.tracker_cfg)

    def preprocess(self, inputs, batch_size=1, bboxes=None, bbox_thr=0.3,
                   nms_thr=0.3, online=False, **kwargs):
        """Yields, frame after frame in order, the collated clips of the
        frame's people and ``[frame]``.

        Args:
            inputs: From :meth:`_inputs_to_list`.
            bboxes (list | str, optional): Boxes per frame, each ``(N, 4)``
                xyxy or ``(N, 5)`` with scores, or a COCO-style result JSON
                whose ``image_id`` is the 0-based frame index; replaces the
                detector. Frames after the listed ones have no boxes.
            bbox_thr (float): Detector score threshold. Default: 0.3.
            nms_thr (float): Detector NMS threshold. Default: 0.3.
            online (bool): Read no future frame. Default: False.
        """
        if isinstance(bboxes, (str, os.PathLike)):
            bboxes = boxes_from_json(bboxes)
        self.tracker = self._build_tracker()
        self._feature_cache.clear()
        buffer = deque()  # (index, image, name, boxes (N, 5), ids)
        last = -1
        for index, frame in enumerate(inputs):
            name = (os.fspath(frame) if isinstance(frame, (str, os.PathLike))
                    else f'{index:06d}.jpg')
            image = as_bgr_uint8(frame, f'frame {index} ({name})')
            dets = self._detections(image, index, bboxes, bbox_thr, nms_thr)
            boxes, ids = self._track(dets, index)
            buffer.append((index, image, name, boxes, ids))
            last = index
            key = index if online else index - self.delta
            if key >= 0:
                yield self._clip(buffer, key, last)
            while buffer and buffer[0][0] < key + 1 - self.delta:
                buffer.popleft()
        if not online:
            for key in range(max(last - self.delta + 1, 0), last + 1):
                yield self._clip(buffer, key, last)
        promised = len(inputs) if isinstance(inputs, mmcv.VideoReader) else 0
        if promised > last + 1:
            warnings.warn(
                f'{self.video_info.get("name", "the video")}: its header '
                f'promises {promised} frames, {last + 1} could be decoded; '
                'the rest were not processed (a damaged or cut file?)')
        listed = 0 if bboxes is None else len(bboxes)
        beyond = [i for i in range(last + 1, listed) if len(bboxes[i])]
        if beyond:
            warnings.warn(
                f'boxes were given for frames {beyond[0]}..{beyond[-1]}, '
                f'beyond the {last + 1} frames of the input, and were not '
                'used: frame indices (image_id) are 0-based and must lie in '
                'the video')

    def _clip(self, buffer, key, last):
        """Collated inputs for every person of frame ``key``, whose clip is
        clipped to ``[0, last]``."""
        frames = {entry[0]: entry for entry in buffer}
        _, image, name, boxes, ids = frames[key]
        window = []
        for offset in range(-self.delta, self.delta + 1):
            index = min(max(key + offset, 0), last)
            # a frame of another size: the nearest one of the key's size
            while frames[index][1].shape[:2] != image.shape[:2]:
                index += 1 if index < key else -1
            window.append(frames[index])
        self._track_ids = list(ids)
        if not len(boxes):
            return dict(empty=image.shape[:2], img_path=name), [image]
        if self.reuse_features:  # per person: (window frame, crop box)
            return dict(crops=[[(e, self._crop_box(e, box, tid))
                                for e in window]
                               for box, tid in zip(boxes, ids)],
                        key=key), [image]
        data = []
        for box in boxes:
            info = dict(img=[e[1] for e in window], img_path=name,
                        frame_paths=[e[2] for e in window],
                        bbox=box[None, :4], bbox_score=box[4:5])
            info.update(self.model.dataset_meta)
            data.append(self.pipeline(info))
        return self.collate_fn(data), [image]

    def _crop_box(self, entry, box, track_id):
        """The box a person of the key frame (``box``, ``track_id``) is
        cropped with in frame ``entry``: with ``reuse_align``, its own box
        there when the tracker found it, else the key frame's box."""
        if self.reuse_align and track_id >= 0:
            match = np.flatnonzero(np.asarray(entry[4]) == track_id)
            if len(match):
                return entry[3][match[0]]
        return box

    def _crop_feats(self, requests):
        """Backbone features (per stage ``(1, C, h, w)``), those of the
        flipped crop (with flip test) and the data sample of each request
        ``(frame entry, key frame's box)``: a crop of the frame within
        ``reuse_tolerance`` of the box when one was computed, else a new
        one with the box (all new crops in one backbone batch)."""
        keys, new = [], {}
        for entry, box in requests:
            key = self._nearest_crop(entry[0], box, new)
            if key is None:
                key = (entry[0], tuple(np.round(box[:4], 3).tolist()))
                info = dict(img=[entry[1]], img_path=entry[2],
                            frame_paths=[entry[2]], bbox=box[None, :4],
                            bbox_score=box[4:5])
                info.update(self.model.dataset_meta)
                new[key] = self.pipeline(info)
            keys.append(key)
        if new:
            data = self.model.data_preprocessor(
                self.collate_fn(list(new.values())), False)
            crops = data['inputs'].flatten(0, 1)  # (N, 3, H, W)
            feats = self.model.backbone(crops)
            flip = self.model.test_cfg.get('flip_test', False)
            flipped = self.model.backbone(crops.flip(-1)) if flip else None
            for i, (key, sample) in enumerate(zip(new,
                                                  data['data_samples'])):
                self._feature_cache[key] = (
                    tuple(f[i:i + 1] for f in feats),
                    tuple(f[i:i + 1] for f in flipped) if flip else None,
                    sample)
        return [self._feature_cache[key] for key in keys]

    def _nearest_crop(self, index, box, pending):
        """Cache key of the crop of frame ``index`` (computed, or in
        ``pending``) nearest to ``box`` within ``reuse_tolerance``, or
        None."""
        best, best_d = None, self.reuse_tolerance
        for key in [*self._feature_cache, *pending]:
            if key[0] == index:
                d = crop_distance(np.asarray(key[1]), box)
                if d <= best_d:
                    best, best_d = key, d
        return best

    def _forward_reused(self, crops, key):
        """Poses of one frame's people from cached per-crop features, all
        people in one batch."""
        per_person = len(crops[0])
        cached = self._crop_feats([pair for person in crops
                                   for pair in person])
        feats, flips, samples = [], [], []
        for p in range(len(crops)):
            per_frame = cached[p * per_person:(p + 1) * per_person]
            samples.append(per_frame[self.delta][2].clone())  # key crop
            for i, out in ((0, feats), (1, flips)):
                if per_frame[0][i] is None:  # no flip test
                    continue
                clip = [torch.cat(stage) for stage in
                        zip(*[f[i] for f in per_frame])]  # (T, C, h, w)
                if self.reuse_align:
                    clip = warp_to_crop(
                        clip, [f[2] for f in per_frame], samples[-1],
                        flipped=i == 1)
                out.append([stage[None] for stage in clip])
        cat = [torch.cat(stage) for stage in zip(*feats)]  # (P, T, C, h, w)
        cat_flip = [torch.cat(s) for s in zip(*flips)] if flips else None
        # later clips start at key + 1 - delta: older crops are done
        for cache_key in [k for k in self._feature_cache
                          if k[0] < key + 1 - self.delta]:
            del self._feature_cache[cache_key]
        samples = self.model.predict_from_frame_feats(
            tuple(cat), samples, tuple(cat_flip) if cat_flip else None)
        for sample, person in zip(samples, crops):  # the detected boxes
            box = person[self.delta][1]
            sample.pred_instances.bboxes = box[None, :4].astype(np.float32)
            sample.pred_instances.bbox_scores = box[4:5].astype(np.float32)
        return samples

    @torch.no_grad()
    def forward(self, inputs, merge_results=True, bbox_thr=-1,
                pose_based_nms=False):
        """Poses of one frame's people, merged into one data sample with
        ``pred_instances.track_ids``; a frame without people gives an empty
        one."""
        if 'empty' in inputs:
            k = self.model.dataset_meta['num_keypoints']
            sample = PoseDataSample(metainfo=dict(
                img_path=inputs['img_path'], ori_shape=inputs['empty']))
            sample.pred_instances = InstanceData(
                keypoints=np.zeros((0, k, 2), np.float32),
                keypoint_scores=np.zeros((0, k), np.float32),
                bboxes=np.zeros((0, 4), np.float32),
                bbox_scores=np.zeros(0, np.float32),
                track_ids=np.zeros(0, np.int64))
            return [sample]
        if 'crops' in inputs:
            samples = self._forward_reused(inputs['crops'], inputs['key'])
        else:
            samples = self.network.test_step(inputs)
        merged = merge_data_samples(samples)
        merged.pred_instances.track_ids = np.asarray(self._track_ids,
                                                     np.int64)
        return [merged]

    def visualize(self, inputs, preds, return_vis=False, show=False,
                  vis_out_dir='', **kwargs):
        """mmpose's drawing, with each person's track id at its box."""
        if not (return_vis or show or vis_out_dir):
            return []
        images = super().visualize(inputs, preds, return_vis=True,
                                   **kwargs)
        for image, pred in zip(images, preds):
            inst = pred.pred_instances
            for box, tid in zip(inst.bboxes, inst.track_ids):
                cv2.putText(image, f'id {int(tid)}',
                            (int(box[0]), max(int(box[1]) - 4, 10)),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1,
                            cv2.LINE_AA)
            name = os.path.basename(pred.metainfo['img_path'])
            if show:
                self.visualizer.show(image, win_name=name,
                                     wait_time=1e-5)
            if vis_out_dir:
                self.save_visualization(image, vis_out_dir, img_name=name)
        return images if return_vis else []

    def postprocess(self, preds, visualization, return_datasample=None,
                    return_datasamples=False, pred_out_dir=''):
        """mmpose's results, each person with its ``track_id``."""
        result = super().postprocess(preds, visualization,
                                     return_datasamples=return_datasamples)
        if not return_datasamples:
            for instances, pred in zip(result['predictions'], preds):
                for inst, tid in zip(instances,
                                     pred.pred_instances.track_ids):
                    inst['track_id'] = int(tid)
                    if isinstance(inst.get('bbox'), tuple):  # mmpose's
                        inst['bbox'] = inst['bbox'][0]
                    if 'bbox_score' in inst:
                        inst['bbox_score'] = float(inst['bbox_score'])
        if pred_out_dir:
            for instances, pred in zip(result['predictions'], preds):
                if self._video_input:
                    self.video_info['predictions'].append(instances)
                else:
                    os.makedirs(pred_out_dir, exist_ok=True)
                    name = os.path.splitext(os.path.basename(
                        pred.metainfo['img_path']))[0]
                    with open(os.path.join(pred_out_dir, f'{name}.json'),
                              'w') as f:
                        json.dump(instances, f)
        return result


def warp_to_crop(feats, sources, target, flipped=False):
    """Resample the feature maps of crops into another crop of the same
    image coordinates (bilinear, zeros outside a source crop).

    Args:
        feats (list[Tensor]): per stage ``(T, C, h, w)``, row ``i`` the
            features of the crop of ``sources[i]``.
        sources (list[PoseDataSample]): each crop's sample
            (``input_center``, ``input_scale``: the crop's box in pixels).
        target (PoseDataSample): the crop to warp into.
        flipped (bool): the features are those of horizontally flipped
            crops (the flip test's).

    Returns:
        list[Tensor]: per stage ``(T, C, h, w)``; rows whose crop is the
        target's are returned unchanged.
    """
    centre = np.asarray(target.metainfo['input_center'], np.float64)
    scale = np.asarray(target.metainfo['input_scale'], np.float64)
    theta = np.zeros((len(sources), 2, 3))
    same = []
    for i, sample in enumerate(sources):
        c = np.asarray(sample.metainfo['input_center'], np.float64)
        s = np.asarray(sample.metainfo['input_scale'], np.float64)
        same.append(bool(np.allclose(c, centre) and np.allclose(s, scale)))
        # target's normalised coordinates -> the source crop's
        theta[i, :, :2] = np.diag(scale / s)
        theta[i, :, 2] = 2 * (centre - c) / s
        if flipped:
            theta[i, 0, 2] *= -1
    move = [i for i, s in enumerate(same) if not s]
    if not move:
        return feats
    rows = torch.as_tensor(move, device=feats[0].device)
    out = []
    for f in feats:  # only the rows of other crops are resampled
        grid = torch.nn.functional.affine_grid(
            torch.as_tensor(theta[move], dtype=f.dtype, device=f.device),
            [len(move), *f.shape[1:]], align_corners=False)
        warped = torch.nn.functional.grid_sample(
            f[rows], grid, mode='bilinear', padding_mode='zeros',
            align_corners=False)
        out.append(f.index_copy(0, rows, warped))
    return out


def crop_distance(crop, box):
    """How far ``crop`` is from ``box`` (xyxy): the larger of their centres'
    distance along x and y, as fractions of ``box``'s width and height,
    and of their width and height ratios' distance from 1."""
    size = box[2:4] - box[:2]
    centre = (crop[:2] + crop[2:4] - box[:2] - box[2:4]) / 2 / size
    ratio = (crop[2:4] - crop[:2]) / size - 1
    return float(max(np.abs(centre).max(), np.abs(ratio).max()))


def _number(value):
    """``value`` as a finite float when it is a JSON number, else None
    (strings, booleans, null, NaN and infinities are not numbers here)."""
    return float(value) if is_number(value) and np.isfinite(value) else None


def boxes_from_json(path):
    """Per-frame ``(N, 5)`` boxes (xyxy, score) from a COCO-style result
    JSON (``[{"image_id", "bbox": [x, y, w, h], "score"}]``) whose
    ``image_id`` is the 0-based frame index.

    Every entry is checked: ``image_id`` must be a non-negative integer,
    ``bbox`` four numbers and ``score`` (optional, default 1) a number;
    anything else is an error naming the file, the entry and what to
    write instead.
    """
    with open(path) as f:
        try:
            dets = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path} is not a JSON file ({err})') from err
    if not isinstance(dets, list):
        raise ValueError(f'{path} must hold a list of detections in the COCO '
                         'result format')
    parsed = []
    for i, d in enumerate(dets):
        where = f'{path}, detection {i}'
        if not isinstance(d, dict) or 'image_id' not in d or 'bbox' not in d:
            raise ValueError(f'{where}: each detection is an object with '
                             '"image_id" (0-based frame index), "bbox" '
                             '[x, y, w, h] and optionally "score"')
        image_id = d['image_id']
        if isinstance(image_id, bool) or not isinstance(
                image_id, int) or image_id < 0:
            raise ValueError(f'{where}: image_id {image_id!r} is not a '
                             '0-based frame index (an integer >= 0: the '
                             "video's first frame is 0)")
        bbox = d['bbox']
        coords = ([_number(v) for v in bbox]
                  if isinstance(bbox, list) else [None])
        if len(coords) != 4 or None in coords:
            raise ValueError(f'{where} (frame {image_id}): bbox {bbox!r} '
                             'must be 4 finite numbers [x, y, w, h] (not '
                             'strings)')
        score = _number(d.get('score', 1.0))
        if score is None:
            raise ValueError(f'{where} (frame {image_id}): score '
                             f'{d["score"]!r} must be a finite number')
        x, y, w, h = coords
        parsed.append((image_id, [x, y, x + w, y + h, score]))
    frames = max((image_id for image_id, _ in parsed), default=-1) + 1
    boxes = [[] for _ in range(frames)]
    for image_id, box in parsed:
        boxes[image_id].append(box)
    return [np.asarray(b, np.float32).reshape(-1, 5) for b in boxes]
