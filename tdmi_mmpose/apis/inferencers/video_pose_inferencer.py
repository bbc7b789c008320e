"""Video pose inferencer: mmdet detection, mmdet tracking, TDMI poses."""
import os

import mmcv
import mmengine
import numpy as np
import torch
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.registry import INFERENCERS
from mmpose.structures import merge_data_samples

from ...utils.frames import frame_folder
from ...utils.model_zoo import resolve_weights
from ..deployment import check_backend, pose_network
from ..inference import (as_bgr_uint8, check_video_model, clip_data_info,
                         clip_windows, empty_pose_sample, warn_undecoded)
from ..people import (PersonDetector, given_boxes, load_boxes, pose_nms,
                      warn_unused_boxes)
from .utils import FeatureReuse, PersonTracker, TrackSmoother, bytetrack
from .utils.person_tracker import draw_track_ids, with_track_ids
from .utils.smoothing import smoother_config
from .utils.video_model import (model_from_metafile, tdmi_metafile_entry,
                                video_checkpoint)


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
    Frame folders are read in natural order (``2.jpg`` before ``10.jpg``);
    frames are decoded once, one clip span at a time (:func:`clip_windows`:
    clips clipped at the video's ends, ``online=True`` reads no future
    frame). By default the clips holding a frame share its backbone
    features (:class:`FeatureReuse`; ``reuse_features=False`` is the
    paper's per-clip protocol), so memory stays flat; ``model.test_cfg``
    can set ``reuse_features``, ``reuse_align`` and ``reuse_tolerance``.

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
            parameters are refused here. Default: None (off; the Pose
            tracking guide measures it).
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
        check_backend(backend, onnx_file)
        if warm_start and not weights:
            raise ValueError('warm_start=True warm-starts the video model '
                             'from weights=<single-frame checkpoint>: give '
                             'weights')
        weights = resolve_weights(weights, what='weights')
        # read by _load_weights_to_model while the base class builds
        self._weights, self._warm_start = weights, warm_start
        super().__init__(model, weights, device, scope, det_model,
                         det_weights, det_cat_ids, show_progress)
        self.network = pose_network(self.model, backend, onnx_file)
        if reuse_features is None:
            reuse_features = bool(
                self.model.test_cfg.get('reuse_features', True))
        self.reuse_features = reuse_features
        if flip_test is not None:  # this inferencer's model only
            self.model.test_cfg = dict(self.model.test_cfg,
                                       flip_test=bool(flip_test))
        cfg = self.model.test_cfg
        self.delta = check_video_model(self.model) // 2
        self.reuse = FeatureReuse(
            self.model, self.pipeline, self.collate_fn, self.delta,
            bool(cfg.get('reuse_align', True) if reuse_align is None else
                 reuse_align), cfg.get('reuse_tolerance', 0.05)
            if reuse_tolerance is None else reuse_tolerance, self.network)
        self.tracker_cfg = tracker
        self.smoother_cfg = smoother_config(smoother)
        self.smoother = TrackSmoother.build(self.smoother_cfg)  # checked
        self.stream_fps = stream_fps
        self._track_ids = []

    @property
    def num_frames(self):
        return 2 * self.delta + 1

    @property
    def reuse_mode(self):
        """How clips get their frames' features, in words (for logs)."""
        return self.reuse.describe(self.reuse_features)

    @classmethod
    def metafile_entry(cls, model):
        """``(entry, root)`` of a model of this package's metafile, or
        None (:func:`tdmi_metafile_entry`)."""
        return tdmi_metafile_entry(model)

    def _load_model_from_metafile(self, model):
        return model_from_metafile(model)

    def _load_weights_to_model(self, model, checkpoint, cfg):
        """mmpose's loading of the video model's checkpoint, or with
        ``warm_start`` of the state warm-started from a single-frame one
        (:func:`video_checkpoint`)."""
        if checkpoint is not None:
            checkpoint = video_checkpoint(model, checkpoint, cfg,
                                          self._weights, self._warm_start)
        super()._load_weights_to_model(model, checkpoint, cfg)
        if getattr(model, 'dataset_meta', None) is None:
            # a config without a training set (an adapted model's)
            from mmpose.apis.inference import dataset_meta_from_config
            model.dataset_meta = dataset_meta_from_config(cfg, 'test')

    def _init_pipeline(self, cfg):
        # mmpose's Pose2DInferencer reads these two; video configs that do
        # not set them are top-down models of their test dataset
        cfg.setdefault('data_mode', 'topdown')
        cfg.setdefault('dataset_type', cfg.test_dataloader.dataset.type)
        return super()._init_pipeline(cfg)

    def _init_detector(self, det_model=None, det_weights=None,
                       det_cat_ids=None, device=None):
        """The people's detector (:class:`PersonDetector`): ``None`` is
        mmpose's default person detector, ``'whole_image'`` the whole frame
        as one person, else an mmdet config or model name or alias with its
        weights (file, address or model name)."""
        self.people = PersonDetector(det_model, det_weights,
                                     0 if det_cat_ids is None else
                                     det_cat_ids, device=device or 'cpu')
        self.detector, self.det_cat_ids = (self.people.detector,
                                           self.people.det_cat_ids)

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
        video = isinstance(inputs, mmcv.VideoReader)
        bboxes = None if bboxes is None else load_boxes(
            bboxes, self.video_info['name'] if video else None,
            len(inputs) if video else None)
        self.tracker = PersonTracker(self.tracker_cfg)
        self.smoother = TrackSmoother.build(self.smoother_cfg)  # a new video
        self.reuse.clear()
        self._frames_read = 0
        people = self._people_per_frame(inputs, bboxes, bbox_thr, nms_thr)
        for key, window in clip_windows(people, self.delta, online):
            yield self._clip(key, window)
        if video:
            warn_undecoded(inputs, self._frames_read, self.video_info['name'])
        warn_unused_boxes(bboxes, self._frames_read)

    def _people_per_frame(self, inputs, bboxes, bbox_thr, nms_thr):
        """Each frame decoded once, its people detected (or given) and
        tracked: ``(index, image, name, boxes (N, 5), ids)``."""
        for index, frame in enumerate(inputs):
            name = (os.fspath(frame) if isinstance(frame, (str, os.PathLike))
                    else f'{index:06d}.jpg')
            image = as_bgr_uint8(frame, f'frame {index} ({name})')
            dets = self.people(image, f'frame {index}', bbox_thr, nms_thr) \
                if bboxes is None else given_boxes(bboxes, index, image.shape)
            self._frames_read = index + 1
            yield (index, image, name, *self.tracker.track(dets, index))

    def _clip(self, key, window):
        """Collated inputs for every person of the ``key`` frame
        (:func:`clip_windows`), and ``[image]``."""
        index, image, name, boxes, ids = key
        self._track_ids = list(ids)
        if not len(boxes):
            return dict(empty=image.shape[:2], img_path=name), [image]
        if self.reuse_features:  # per person: (window frame, crop box)
            return dict(crops=self.reuse.requests(window, boxes, ids),
                        key=index), [image]
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
            return [empty_pose_sample(inputs['img_path'], inputs['empty'],
                                      self.model.dataset_meta)]
        if 'crops' in inputs:
            samples = self.reuse.predict(inputs['crops'], inputs['key'])
        else:
            samples = self.network.test_step(inputs)
        merged = merge_data_samples(samples)
        merged.pred_instances.track_ids = np.asarray(self._track_ids,
                                                     np.int64)
        if pose_based_nms:
            merged.pred_instances = pose_nms(merged.pred_instances)
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
            draw_track_ids(image, pred.pred_instances)
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
        for people, pred in zip(result['predictions'], preds):
            if not return_datasamples:
                with_track_ids(people, pred.pred_instances.track_ids)
            if pred_out_dir and self._video_input:
                self.video_info['predictions'].append(people)
            elif pred_out_dir:  # as mmpose writes them
                name = os.path.basename(pred.metainfo['img_path'])
                mmengine.dump(people, os.path.join(
                    pred_out_dir, f'{os.path.splitext(name)[0]}.json'))
        return result
