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
from mmengine.structures import InstanceData
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.evaluation.functional import nearby_joints_nms
from mmpose.registry import INFERENCERS
from mmpose.structures import PoseDataSample, merge_data_samples

from ...models.utils import is_video_state_dict, single_frame_state_dict
from ...utils.boxes import boxes_from_json, check_boxes_video
from ...utils.model_zoo import (DownloadError, ModelNameError, find_model,
                                is_detector, resolve_weights)
from ..inference import (as_bgr_uint8, check_video_model, clip_data_info,
                         person_boxes)
from ..people import check_detector_name, detect_people
from .feature_reuse import FeatureReuse
from .smoothing import TrackSmoother, smoother_config
from .tracking import PersonTracker, bytetrack


def frame_folder(folder):
    """The frames of a folder, in natural order of their names (``2.jpg``
    before ``10.jpg``); other files are left out with one warning naming
    them."""
    from ...utils.frames import frame_files
    frames = frame_files(folder)
    others = sorted(set(os.listdir(folder)) - set(frames))
    others = [f for f in others if osp.isfile(osp.join(folder, f))]
    if others:
        warnings.warn(f'{folder}: {len(others)} files that are not frames '
                      f'are left out ({", ".join(others[:3])}'
                      f'{", ..." if len(others) > 3 else ""})')
    if not frames:
        raise ValueError(f'{folder} holds no frame (.jpg, .jpeg, .png, '
                         '.bmp, .webp files)')
    return [osp.join(folder, f) for f in frames]


def check_detector_config(path):
    """Refuse, in one line, an mmdet config file that is a tracker (its
    model holds a ``detector``), which mmdet's detector inferencer cannot
    run."""
    model = Config.fromfile(path).get('model') or {}
    if 'detector' in model or 'tracker' in model:
        raise ValueError(
            f'det_model {path} is an mmdet tracker config (model type '
            f'{model.get("type")}), not a detector: give its detector as a '
            "config or name (e.g. 'rtmdet-m'); tracking is the tracker "
            'argument (ByteTrack by default)')


@INFERENCERS.register_module(name='tdmi')
@INFERENCERS.register_module()
class VideoPoseInferencer(Pose2DInferencer):
    """mmpose's 2D inferencer for video pose models (TDMI): every frame's
    people are detected once (an mmdet detector, or boxes given), tracked
    with an mmdet tracker (ByteTrack by default), and each person's pose in
    a frame is estimated from the clip ``t-delta ... t+delta`` around it,
    all frames cropped with that frame's box.

    Call conventions are :class:`MMPoseInferencer`'s (a video path, an
    image folder, a list of frames or a generator of frames, written like a
    video at ``stream_fps``; one result per frame, in order, with
    ``predictions`` and ``visualization``; each person has a ``track_id``).
    A folder of frames is read in natural order of the file names
    (``2.jpg`` before ``10.jpg``); a frame that cannot be decoded is an
    error naming it. Frames are decoded once and buffered ``2*delta + 1``
    at a time; at a video's ends the clip is clipped to its first/last frame, as the
    datasets do; ``online=True`` reads no future frame (the clip of ``t``
    is ``t-delta ... t`` with ``t`` repeated). By default each person is
    cropped once per frame and the clips holding the frame share its
    backbone features, aligned into each key crop (:class:`FeatureReuse`);
    ``reuse_features=False`` is the paper's per-clip protocol. A frame of
    another size than the key frame is replaced by the nearest one of its
    size, and the feature cache holds one clip span, so memory stays flat.
    ``model.test_cfg`` can set ``reuse_features``, ``reuse_align`` and
    ``reuse_tolerance``.

    Args:
        model (str): Config of a video pose model, or a model name or
            alias of this package's metafile (``'tdmi'``, ``'tdmi-st'``:
            the paper's PoseTrack17 models; ``mim search tdmi_mmpose``
            lists them). Named models come without weights: give
            ``weights``.
        weights (str, optional): Its checkpoint, or with ``warm_start``
            a single-frame top-down checkpoint with the config's backbone
            (mmpose's HRNet-W48 PoseTrack18 or COCO models, your own): a
            file, an ``http(s)://`` address (downloaded once into the
            cache mmengine uses) or an mmpose model name
            (``td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288``).
        device (str, optional): Device. Default: CUDA if available.
        det_model (str, optional): mmdet config or model name or alias
            (``'rtmdet-m'``); None: mmpose's default person detector (its
            ``default_det_models['human']``, fetched once into the cache);
            ``'whole_image'``: the whole frame as one person. As mmpose.
        det_weights (str, optional): mmdet checkpoint: a file, an
            ``http(s)://`` address or a model name.
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
        reuse_tolerance (float, optional): :class:`FeatureReuse`'s
            ``tolerance``. Default: None, the model config's
            ``model.test_cfg.reuse_tolerance`` (0.05 if unset).
        reuse_align (bool, optional): :class:`FeatureReuse`'s ``align``.
            Default: None, the model config's ``model.test_cfg.reuse_align``
            (True if unset).
        flip_test (bool, optional): Average each person's heatmaps with
            those of the horizontally flipped crops (mmpose's flip test,
            which runs the network twice). Default: None, the config's
            ``model.test_cfg.flip_test`` (the evaluation protocol, which
            this leaves unchanged); False is the fast video setting.
        backend (str): ``'pytorch'`` or ``'onnxruntime'``: the pose
            network runs in onnxruntime from ``onnx_file`` (exported from
            this config by ``tools/deployment/pytorch2onnx.py``: the
            backbone and the temporal part as two graphs, so feature reuse
            works as in torch); the data preprocessor, flip test and
            decoding stay the torch model's. Default: ``'pytorch'``.
        onnx_file (str, optional): The ONNX file, with
            ``backend='onnxruntime'``.
        smoother (str | dict, optional): Smooth each track's keypoints
            online (:class:`TrackSmoother`): ``'one_euro'``, ``'savgol'``,
            ``'gaussian'``, with parameters as ``'savgol:window=7,order=2'``,
            or a dict with ``type`` and the filter's arguments; bad
            parameters are refused here. Default: None (off; see the Pose tracking guide for
            what it does to accuracy and jitter).
        warm_start (bool): ``weights`` is a single-frame checkpoint: the
            video model is warm-started from it (backbone and detection
            head copied, the neighbour frames entering at zero, so it
            estimates as that single-frame model does until fine-tuned:
            :meth:`VideoTopdownPoseEstimator.warm_start`). Default: False.
    """

    preprocess_kwargs = {'bbox_thr', 'nms_thr', 'bboxes', 'online'}

    def __init__(self, model, weights=None, device=None, scope='mmpose',
                 det_model=None, det_weights=None, det_cat_ids=0,
                 tracker=bytetrack(), stream_fps=25.0, show_progress=False,
                 reuse_features=None, reuse_tolerance=None,
                 reuse_align=None, backend='pytorch', onnx_file=None,
                 warm_start=False, flip_test=None, smoother=None):
        if backend not in ('pytorch', 'onnxruntime'):
            raise ValueError(f"backend must be 'pytorch' or 'onnxruntime', "
                             f'got {backend!r}')
        if backend == 'onnxruntime' and onnx_file is None:
            raise ValueError(
                "backend='onnxruntime' runs the exported network: give "
                'onnx_file (tools/deployment/pytorch2onnx.py writes it)')
        if warm_start and not weights:
            raise ValueError('warm_start=True warm-starts the video model '
                             'from weights=<single-frame checkpoint>: give '
                             'weights')
        weights = resolve_weights(weights, what='weights')
        # read by _load_weights_to_model while the base class builds
        self._weights, self._warm_start = weights, warm_start
        super().__init__(model, weights, device, scope, det_model,
                         det_weights, det_cat_ids, show_progress)
        self.network = self.model
        if backend == 'onnxruntime':
            from ..deployment import ONNXRuntimePoseModel
            self.network = ONNXRuntimePoseModel(self.model, onnx_file)
        if reuse_features is None:
            reuse_features = bool(
                self.model.test_cfg.get('reuse_features', True))
        self.reuse_features = reuse_features
        if flip_test is not None:  # this inferencer's model only
            self.model.test_cfg = dict(self.model.test_cfg,
                                       flip_test=bool(flip_test))
        cfg = self.model.test_cfg
        self.num_frames = check_video_model(self.model)
        self.delta = self.num_frames // 2
        self.reuse = FeatureReuse(
            self.model, self.pipeline, self.collate_fn, self.delta,
            align=bool(cfg.get('reuse_align', True)
                       if reuse_align is None else reuse_align),
            tolerance=cfg.get('reuse_tolerance', 0.05)
            if reuse_tolerance is None else reuse_tolerance,
            network=self.network)
        self.tracker_cfg = tracker
        self.smoother_cfg = smoother_config(smoother)
        self.new_smoother()  # a bad name fails here
        self.stream_fps = stream_fps
        self._track_ids = []

    def new_smoother(self):
        """A new :class:`TrackSmoother` (each video starts anew), or None."""
        self.smoother = None
        if self.smoother_cfg is not None:
            cfg = dict(self.smoother_cfg)
            self.smoother = TrackSmoother(cfg.pop('type'), **cfg)

    @property
    def reuse_align(self):
        return self.reuse.align

    @property
    def reuse_tolerance(self):
        return self.reuse.tolerance

    @property
    def reuse_mode(self):
        """How clips get their frames' features, in words (for logs)."""
        if not self.reuse_features:
            return 'off (per clip)'
        if self.reuse_align:
            return 'on (aligned: one crop per person and frame)'
        return f'on (crops within {self.reuse_tolerance:g} of the box)'

    @classmethod
    def metafile_entry(cls, model):
        """``(entry, package root)`` of the model of this package's
        metafile whose name or alias is ``model`` (any case), or None."""
        try:
            entry, root, _ = find_model(model, ('tdmi_mmpose', ))
        except ModelNameError:
            return None
        return entry, root

    def _load_model_from_metafile(self, model):
        """Config and weights of a model named (or aliased) in this
        package's metafile, else in mmpose's model zoo; a misspelt name is
        an error listing the closest names."""
        entry, root, scope = find_model(model, ('tdmi_mmpose', 'mmpose'),
                                        'model')
        if scope == 'mmpose' and is_detector(entry):
            raise ModelNameError(f'{model!r} is a detector: give it as '
                                 'det_model, and a video pose model here')
        weights = entry.get('Weights')
        if weights is None:
            warnings.warn(f"{model} ({entry['Name']}) has no published "
                          'weights: give weights=<your checkpoint>')
        return Config.fromfile(osp.join(root, entry['Config'])), weights

    def _load_weights_to_model(self, model, checkpoint, cfg):
        """mmpose's loading, or with ``warm_start`` the warm start from the
        single-frame checkpoint (the dataset meta then comes from the video
        model's config)."""
        if checkpoint is None:
            super()._load_weights_to_model(model, checkpoint, cfg)
            if getattr(model, 'dataset_meta', None) is None:
                # a config without a training set (an adapted model's)
                from mmpose.apis.inference import dataset_meta_from_config
                model.dataset_meta = dataset_meta_from_config(cfg, 'test')
            return
        state = checkpoint.get('state_dict', checkpoint)
        if not self._warm_start:
            if not is_video_state_dict(state) and any(
                    k.startswith('backbone.') for k in state):
                raise ValueError(
                    f'weights {self._weights!r} is a single-frame '
                    'checkpoint (no TDE weights), not one of this video '
                    'model: give warm_start=True to start the video model '
                    'from it (tools/video_demo.py --warm-start), or a '
                    'checkpoint of this config')
            return super()._load_weights_to_model(model, checkpoint, cfg)
        # the warm-started weights through mmpose's loading; the
        # single-frame checkpoint's meta describes the single-frame model,
        # so the dataset_meta comes from the video model's config
        from mmpose.apis.inference import dataset_meta_from_config
        state = model.warm_start_state_dict(
            single_frame_state_dict(
                checkpoint, name=self._weights,
                dataset_meta=dataset_meta_from_config(cfg, 'train')),
            self._weights)
        super()._load_weights_to_model(model, dict(state_dict=state), cfg)

    def _init_pipeline(self, cfg):
        # mmpose's Pose2DInferencer reads these two; video configs that do
        # not set them are top-down models of their test dataset
        cfg.setdefault('data_mode', 'topdown')
        cfg.setdefault('dataset_type', cfg.test_dataloader.dataset.type)
        return super()._init_pipeline(cfg)

    def _init_detector(self, det_model=None, det_weights=None,
                       det_cat_ids=None, device=None):
        """mmpose's choice of detector: ``None`` is mmpose's default person
        detector (its ``default_det_models['human']``), ``'whole_image'``
        the whole frame as one person, else an mmdet config or model name
        or alias with its weights (file, address or model name)."""
        if det_model in ('whole_image', 'whole-image'):
            self.detector = None
            return
        if det_model is None:
            from mmpose.apis.inferencers.utils import default_det_models
            default = default_det_models['human']
            det_model, det_weights, det_cat_ids = (
                default['model'], default['weights'], default['cat_ids'])
        elif not osp.isfile(det_model):
            check_detector_name(det_model)
        else:
            check_detector_config(det_model)
        det_weights = resolve_weights(det_weights, ('mmdet', ),
                                      'det_weights')
        try:
            super()._init_detector(det_model=det_model,
                                   det_weights=det_weights,
                                   det_cat_ids=det_cat_ids, device=device)
        except DownloadError as err:
            raise DownloadError(
                f'the person detector {osp.basename(det_model)}: {err}. Or '
                "run without it: det_model='whole_image' (the whole frame "
                'as one person; --det-model whole_image), a local detector '
                '(det_model=CONFIG, det_weights=FILE), or boxes of your own '
                '(bboxes=FILE; --bboxes)') from None

    def _inputs_to_list(self, inputs):
        if isinstance(inputs, os.PathLike):
            inputs = os.fspath(inputs)
        if isinstance(inputs, str) and not os.path.exists(inputs):
            raise FileNotFoundError(f'input {inputs} does not exist')
        if isinstance(inputs, str) and os.path.isdir(inputs):
            inputs = frame_folder(inputs)
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
        return detect_people(self.detector, image, self.det_cat_ids,
                             bbox_thr, nms_thr, f'frame {index}')

    def preprocess(self, inputs, batch_size=1, bboxes=None, bbox_thr=0.3,
                   nms_thr=0.3, online=False, **kwargs):
        """Yields, frame after frame in order, the collated clips of the
        frame's people and ``[frame]``.

        Args:
            inputs: From :meth:`_inputs_to_list`.
            bboxes (list | str, optional): Boxes per frame, each ``(N, 4)``
                xyxy or ``(N, 5)`` with scores, or a COCO-style result JSON
                whose ``image_id`` is the 0-based frame index (a file that
                names its video, as ``--save-bboxes`` writes it, must be
                this video's); replaces the detector (build the inferencer
                with ``det_model='whole_image'`` to build none). Frames
                after the listed ones have no boxes.
            bbox_thr (float): Detector score threshold. Default: 0.3.
            nms_thr (float): Detector NMS threshold. Default: 0.3.
            online (bool): Read no future frame. Default: False.
        """
        if isinstance(bboxes, (str, os.PathLike)):
            if isinstance(inputs, mmcv.VideoReader):
                check_boxes_video(os.fspath(bboxes), self.video_info['name'],
                                  len(inputs))
            bboxes = boxes_from_json(bboxes)
        self.tracker = PersonTracker(self.tracker_cfg)
        self.new_smoother()
        self.reuse.clear()
        buffer = deque()  # (index, image, name, boxes (N, 5), ids)
        last = -1
        for index, frame in enumerate(inputs):
            name = (os.fspath(frame) if isinstance(frame, (str, os.PathLike))
                    else f'{index:06d}.jpg')
            image = as_bgr_uint8(frame, f'frame {index} ({name})')
            dets = self._detections(image, index, bboxes, bbox_thr, nms_thr)
            boxes, ids = self.tracker.track(dets, index)
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
            return dict(crops=self.reuse.requests(window, boxes, ids),
                        key=key), [image]
        data = [self.pipeline(clip_data_info(
            [e[1] for e in window], [e[2] for e in window], self.delta,
            box[:4], box[4], self.model.dataset_meta)) for box in boxes]
        return self.collate_fn(data), [image]

    @torch.no_grad()
    def forward(self, inputs, merge_results=True, pose_based_nms=False):
        """Poses of one frame's people, merged into one data sample with
        ``pred_instances.track_ids``; a frame without people gives an empty
        one.

        Args:
            inputs (dict): A clip of :meth:`preprocess`.
            merge_results (bool): Must be True: a frame's people are one
                data sample (their track ids go with it).
            pose_based_nms (bool): Drop people whose poses overlap those of
                people with higher box scores, as mmpose's
                ``Pose2DInferencer`` does (``nearby_joints_nms``). Default:
                False.
        """
        if not merge_results:
            raise ValueError(
                'merge_results=False: the video inferencer gives each frame '
                'as one data sample with its people and their track ids; '
                'read the people from result.pred_instances')
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
            samples = self.reuse.predict(inputs['crops'], inputs['key'])
        else:
            samples = self.network.test_step(inputs)
        merged = merge_data_samples(samples)
        merged.pred_instances.track_ids = np.asarray(self._track_ids,
                                                     np.int64)
        if pose_based_nms and len(merged.pred_instances) > 1:
            inst = merged.pred_instances
            keep = nearby_joints_nms(
                [dict(keypoints=k, score=s)
                 for k, s in zip(inst.keypoints, inst.bbox_scores)],
                num_nearby_joints_thr=inst.keypoints.shape[-2] // 3)
            merged.pred_instances = inst[np.sort(keep)]
        if self.smoother is not None and len(merged.pred_instances):
            inst = merged.pred_instances
            inst.keypoints = self.smoother(inst.keypoints, inst.track_ids)
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
