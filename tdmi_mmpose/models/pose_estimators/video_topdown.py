"""Top-down pose estimator over a clip of frames around a key frame."""
from collections import OrderedDict

from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS, WEIGHT_INITIALIZERS

from ..utils import WarmStartError, single_frame_state_dict, tensor_shape
from .warm_start import WarmStartInit


@MODELS.register_module()
class VideoTopdownPoseEstimator(TopdownPoseEstimator):
    """:class:`TopdownPoseEstimator` for clips ``(B, T, 3, H, W)``.

    Frames are in temporal order ``t-delta ... t+delta``; the key frame, whose
    pose is estimated and whose box and affine transform all frames share,
    is the centre one (index ``delta = T // 2``). The backbone runs once over
    the ``B*T`` frames as one batch; its per-stage outputs are regrouped to
    ``(B, T, C, h, w)`` for the neck (:class:`TDE`). Everything else (loss,
    flip test, which flips every frame and averages heatmaps, and mapping
    predictions back into the key frame's image) is mmpose's.

    Loading weights (``load_from``, ``--resume``, ``init_model``) is checked:
    a checkpoint that does not hold every weight of this model with its
    shape (another model, another number of frames, an image model) is an
    error instead of a warning and random weights. To initialise only the
    backbone from an image model, use
    ``backbone.init_cfg=dict(type='Pretrained', prefix='backbone.',
    checkpoint=...)`` as mmpose does; to start TDMI exactly where a
    single-frame model is (backbone and detection head copied, the
    neighbour frames entering at zero), use
    ``init_cfg=dict(type='WarmStart', checkpoint=...)``, applied after all
    other initialisation (:meth:`warm_start`); to
    load whatever matches anyway, set ``partial_load=True``.

    Args:
        partial_load (bool): Accept checkpoints that cover the model only
            in part. Default: False.
        **kwargs: Arguments of :class:`TopdownPoseEstimator`.
    """

    def __init__(self, partial_load=False, **kwargs):
        super().__init__(**kwargs)
        self.partial_load = partial_load

    def init_weights(self):
        """mmengine's initialisation, then the ``WarmStart`` entries of
        ``init_cfg`` last: the children's own initialisation must not
        overwrite what the warm start copies (mmengine treats
        ``Pretrained`` the same way)."""
        cfgs = self.init_cfg or []
        cfgs = list(cfgs) if isinstance(cfgs, (list, tuple)) else [cfgs]
        warm = [c for c in cfgs if c.get('type') in (
            'WarmStart', 'mmpose.WarmStart', WarmStartInit)]
        if not warm:
            return super().init_weights()
        self.init_cfg = [c for c in cfgs if c not in warm] or None
        try:
            super().init_weights()
        finally:
            self.init_cfg = cfgs
        for cfg in warm:
            WEIGHT_INITIALIZERS.build(cfg)(self)

    def warm_start_state_dict(self, source, name='the checkpoint'):
        """The full state dict of this model warm-started from a
        single-frame top-down model: its backbone copied, the head's part
        from :meth:`TDMIHead.warm_start_state`, TDE and RDM kept as they
        are (see :meth:`warm_start`).

        Args:
            source (dict[str, Tensor]): The single-frame model's state dict
                (:func:`single_frame_state_dict`).
            name (str): How errors name the checkpoint.

        Returns:
            OrderedDict[str, Tensor]: every key of ``self.state_dict()``.

        Raises:
            WarmStartError: naming the first missing, left-over or
                mis-shaped key (with both shapes).
        """
        if not hasattr(self.head, 'warm_start_state'):
            raise WarmStartError(
                'warm start builds a TDMI model (TDMIHead) from a '
                f'single-frame checkpoint; this model has a '
                f'{type(self.head).__name__}: load {name} with load_from '
                'instead')
        target = OrderedDict(
            (k, v.detach().clone()) for k, v in self.state_dict().items())
        used = set()
        for key, value in target.items():
            if not key.startswith('backbone.') or (
                    key.endswith('num_batches_tracked') and key not in source):
                continue
            if key not in source:
                raise WarmStartError(
                    f'{name} does not hold {key} {tensor_shape(value)} of '
                    "the config's backbone: it is another backbone; give a "
                    'checkpoint of a single-frame model with the same '
                    'backbone as the config (type, width, stages)')
            if tensor_shape(source[key]) != tensor_shape(value):
                raise WarmStartError(
                    f'{name} holds {key} with shape '
                    f'{tensor_shape(source[key])}, the config\'s backbone '
                    f'{tensor_shape(value)}: it is another backbone (another '
                    'width or type); give a checkpoint of a single-frame '
                    'model with the same backbone as the config')
            target[key] = source[key].to(value.dtype)
            used.add(key)
        head_state, head_used = self.head.warm_start_state(source, name)
        target.update(head_state)
        used |= head_used
        left = [k for k in source
                if k not in used and not k.endswith('num_batches_tracked')]
        if left:
            raise WarmStartError(
                f'{name} holds {left[0]} {tensor_shape(source[left[0]])} '
                f'(and {len(left) - 1} more keys) that TDMI has no place '
                'for: its head has layers besides the final convolution '
                '(deconvolutions or convolutions) or its backbone has more '
                "modules than the config's; warm start needs a heatmap head "
                'with a final layer only (mmpose HRNet configs: '
                'deconv_out_channels=None)')
        return target

    def warm_start(self, checkpoint, map_location='cpu', logger=None,
                   name=None):
        """Start TDMI (or TDMI-ST) exactly where a single-frame top-down
        model is, in place.

        TDMI's backbone is the single-frame model's HRNet and its detection
        head is a convolution on the same feature ``F^4`` of the key frame.
        A warm start copies the backbone and the detection head and makes
        every path through which the neighbour frames enter contribute
        exactly zero (:meth:`TDMIHead.warm_start_state`); TDE and RDM keep
        their random initialisation. In eval mode the model then gives the
        single-frame model's heatmaps on the key frame, whatever the
        neighbours; gradients reach the zeroed scales at the first step.

        Args:
            checkpoint (str | dict): Path, ``http(s)://`` address, mmpose
                model name or loaded checkpoint of the single-frame model.
            map_location: As in :func:`torch.load`. Default: ``'cpu'``.
            logger (logging.Logger, optional): Where to say what was done.
            name (str, optional): How errors name the checkpoint (default:
                its path).

        With ``dataset_meta`` set (as :func:`mmpose.apis.init_model` and
        the inferencers set it), a checkpoint trained on another keypoint
        set of the same size gives a warning naming the keypoints.

        Returns:
            The model. On any error nothing of it has changed.
        """
        name = name or (checkpoint if isinstance(checkpoint, str) else
                        'the checkpoint')
        source = single_frame_state_dict(checkpoint, map_location, name,
                                         getattr(self, 'dataset_meta', None))
        self.load_state_dict(self.warm_start_state_dict(source, name),
                             strict=True)
        if logger is not None:
            logger.info(f'warm start from {name}: backbone and detection '
                        'head copied; the neighbour frames enter at zero')
        return self

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        if self.partial_load:
            return
        bad = []
        for name, value in self.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            found = state_dict.get(prefix + name)
            if found is None:
                bad.append(f'{name} (missing)')
            elif tuple(found.shape) != tuple(value.shape):
                bad.append(f'{name} ({tuple(found.shape)} in the checkpoint, '
                           f'{tuple(value.shape)} in the model)')
        if bad:
            raise RuntimeError(
                f'the checkpoint does not hold {len(bad)} of the weights of '
                f'this {type(self).__name__} (first: {"; ".join(bad[:3])}): '
                'it is a checkpoint of another model (or of this one with '
                'another number of frames). Load a checkpoint of this '
                'config; for a single-frame checkpoint with this backbone, '
                "warm-start from it (init_cfg=dict(type='WarmStart', "
                'checkpoint=...), VideoPoseInferencer(..., warm_start=True), '
                'demo/video_demo.py --warm-start); to initialise only the '
                "backbone use backbone.init_cfg=dict(type='Pretrained', "
                "prefix='backbone.', checkpoint=...); to load what matches "
                'anyway set model.partial_load=True')

    def extract_feat(self, inputs):
        """Args:
            inputs (Tensor): ``(B, T, 3, H, W)``.

        Returns:
            The neck's output (for TDE: ``(M, F^4 of all frames)``), or the
            backbone's per-stage features regrouped to ``(B, T, C, h, w)``.
        """
        if inputs.dim() != 5:
            raise ValueError(
                'VideoTopdownPoseEstimator expects clips of shape '
                f'(B, T, 3, H, W), got {tuple(inputs.shape)}; build the data '
                'with LoadVideoFrames and use VideoPoseDataPreprocessor')
        batch, frames = inputs.shape[:2]
        feats = self.backbone(inputs.flatten(0, 1))
        return self.clip_feat(
            tuple(f.unflatten(0, (batch, frames)) for f in feats))

    def clip_feat(self, frame_feats):
        """The neck over per-frame backbone features.

        Args:
            frame_feats (tuple[Tensor]): per stage ``(B, T, C, h, w)``.

        Returns:
            The neck's output, or ``frame_feats`` without a neck.
        """
        return self.neck(frame_feats) if self.with_neck else frame_feats

    def predict_from_frame_feats(self, frame_feats, data_samples,
                                 frame_feats_flip=None):
        """:meth:`predict` from backbone features computed beforehand (for
        video inference that computes each frame's crop once and shares it
        between the clips that hold the frame).

        Args:
            frame_feats (tuple[Tensor]): per stage ``(B, T, C, h, w)``.
            data_samples (list[PoseDataSample]): the key frames' samples
                (their crop gives the predictions' image coordinates).
            frame_feats_flip (tuple[Tensor], optional): the same for the
                horizontally flipped crops; required when
                ``test_cfg.flip_test`` is on.

        Returns:
            list[PoseDataSample]: as :meth:`predict`.
        """
        feats = self.clip_feat(frame_feats)
        if self.test_cfg.get('flip_test', False):
            if frame_feats_flip is None:
                raise ValueError('flip_test is on: give frame_feats_flip')
            feats = [feats, self.clip_feat(frame_feats_flip)]
        preds = self.head.predict(feats, data_samples, test_cfg=self.test_cfg)
        instances, fields = preds if isinstance(preds, tuple) else (preds,
                                                                    None)
        return self.add_pred_to_datasample(instances, fields, data_samples)
