"""TDMI learning from unlabelled video: a single-frame teacher's heatmaps
on the clean key frame are the targets of a student that sees that frame
degraded and its neighbours clean."""
import copy

import torch
from mmengine.model import ExponentialMovingAverage
from mmengine.structures import InstanceData, PixelData
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import MODELS

from .video_topdown import VideoTopdownPoseEstimator

TEACHERS = ('frozen', 'ema')


@MODELS.register_module()
class VideoTopdownAdapter(VideoTopdownPoseEstimator):
    """A :class:`VideoTopdownPoseEstimator` (the student) trained without
    labels from a teacher that sees the clean key frame.

    The data give clips ``(B, T + 1, 3, H, W)``: the ``T`` frames of the
    student, whose key frame :class:`DegradeKeyFrame` degraded, then the
    clean key frame. The teacher predicts heatmaps ``(B, K, h, w)`` on the
    clean key frame (with mmpose's flip test by default); they are the
    student's targets ``gt_fields.heatmaps`` and each keypoint whose
    teacher peak is below ``conf_thr`` gets weight 0. The student's loss is
    its head's: ``L_H`` against those targets plus ``L_MI`` as configured
    (Eq. 14-15). So the student can only match the teacher's clean-frame
    pose by reading the neighbours.

    The teacher starts as the student after initialisation: with
    ``init_cfg=dict(type='WarmStart', checkpoint=...)`` that is exactly the
    single-frame model (its neighbours contribute zero).

    * ``'frozen'``: it stays so (kept in eval mode, no gradients).
    * ``'ema'``: an exponential moving average of the student
      (:class:`mmengine.model.ExponentialMovingAverage`, updated before
      each training step's targets, so that it also works under DDP).

    The teacher's weights are part of the checkpoint (``teacher.*``), so
    a resumed run continues with the same teacher; ``tools/adapt.py``
    writes the student alone as a :class:`VideoTopdownPoseEstimator`
    checkpoint for inference.

    Args:
        teacher (dict): ``type``: ``'frozen'`` (default) or ``'ema'``;
            ``momentum`` (``'ema'``: weight of the student in each update,
            mmengine's convention; default 0.01); ``frames``: ``'key'``
            (default: the teacher sees the clean key frame alone, as a
            single-frame model; its backbone runs once) or ``'clip'`` (the
            clean key frame among the clip's neighbours).
        conf_thr (float): Keypoints whose teacher heatmap peak is below
            this get no weight. 0 keeps all. Default: 0.3.
        teacher_flip (bool): The teacher averages its heatmaps with those
            of the flipped crop (mmpose's flip test). Default: True.
        **kwargs: Arguments of :class:`VideoTopdownPoseEstimator`.
    """

    def __init__(self, teacher=dict(type='frozen'), conf_thr=0.3,
                 teacher_flip=True, **kwargs):
        teacher = dict(teacher)
        kind = teacher.pop('type', 'frozen')
        frames = teacher.pop('frames', 'key')
        momentum = teacher.pop('momentum', 0.01)
        if kind not in TEACHERS or frames not in ('key', 'clip') or teacher:
            raise ValueError(
                f"teacher must be dict(type='frozen' | 'ema', frames='key' | "
                f"'clip'[, momentum=...]), got type={kind!r}, "
                f'frames={frames!r}' + (f', unknown keys {sorted(teacher)}'
                                        if teacher else ''))
        if not 0 <= conf_thr < 1:
            raise ValueError(f'conf_thr must be in [0, 1), got {conf_thr}')
        model_cfg = copy.deepcopy(kwargs)
        super().__init__(**kwargs)
        for key in ('init_cfg', 'data_preprocessor', 'partial_load'):
            model_cfg.pop(key, None)
        model = VideoTopdownPoseEstimator(**model_cfg)
        if kind == 'ema':
            self.teacher = ExponentialMovingAverage(model, momentum,
                                                    update_buffers=True)
        else:
            self.teacher = model.requires_grad_(False)
        self.teacher_type, self.teacher_frames = kind, frames
        self.conf_thr, self.teacher_flip = conf_thr, teacher_flip
        self.teacher.eval()

    @property
    def teacher_model(self):
        """The teacher as a :class:`VideoTopdownPoseEstimator`."""
        return (self.teacher.module if self.teacher_type == 'ema' else
                self.teacher)

    def student_state_dict(self):
        """The student's weights (keys without ``teacher.``)."""
        return {k: v for k, v in self.state_dict().items()
                if not k.startswith('teacher.')}

    def init_weights(self):
        """Initialise the student (the warm start included), then make the
        teacher a copy of it."""
        super().init_weights()
        self.teacher_model.load_state_dict(self.student_state_dict())

    def train(self, mode=True):
        super().train(mode)
        self.teacher.train(False)  # BN statistics of the teacher stay
        return self

    @torch.no_grad()
    def teacher_heatmaps(self, clip, clean, flip_indices):
        """Teacher heatmaps ``(B, K, h, w)`` and keypoint weights ``(B, K)``.

        Args:
            clip (Tensor): The student's clip ``(B, T, 3, H, W)``.
            clean (Tensor): The clean key frames ``(B, 3, H, W)``.
            flip_indices (list[int]): Keypoint order after a flip.
        """
        teacher = self.teacher_model
        frames = clip.size(1)

        def predict(clean, clip):
            if self.teacher_frames == 'key':
                feats = tuple(
                    f.unsqueeze(1).expand(-1, frames, *f.shape[1:])
                    for f in teacher.backbone(clean))
                feats = teacher.clip_feat(feats)
            else:
                clip = clip.clone()
                clip[:, frames // 2] = clean
                feats = teacher.extract_feat(clip)
            return teacher.head.forward(feats).float()

        heatmaps = predict(clean, clip)
        if self.teacher_flip:
            flipped = predict(clean.flip(-1), clip.flip(-1))
            heatmaps = (heatmaps + flip_heatmaps(
                flipped, flip_indices=flip_indices, flip_mode='heatmap',
                shift_heatmap=self.test_cfg.get('shift_heatmap',
                                                False))) / 2
        peaks = heatmaps.amax((-2, -1))
        weights = (peaks >= self.conf_thr).float() if self.conf_thr > 0 \
            else torch.ones_like(peaks)
        return heatmaps, weights

    def loss(self, inputs, data_samples):
        """Args:
            inputs (Tensor): ``(B, T + 1, 3, H, W)``: the student's clip,
                then the clean key frame.
            data_samples (list[PoseDataSample]): Their targets are set
                here from the teacher.

        Returns:
            dict: The head's losses (``loss_kpt``, ``loss_mi_*``, ...) and
            ``teacher_kept``, the fraction of keypoints with weight.
        """
        frames = self.head.num_frames
        if inputs.dim() != 5 or inputs.size(1) != frames + 1:
            raise ValueError(
                f'VideoTopdownAdapter expects clips of {frames} frames plus '
                f'the clean key frame, (B, {frames + 1}, 3, H, W), got '
                f'{tuple(inputs.shape)}: put DegradeKeyFrame(keep_clean=True)'
                ' after TopdownAffine in the training pipeline')
        if self.teacher_type == 'ema':
            self.teacher.update_parameters(self)
        clip, clean = inputs[:, :-1], inputs[:, -1]
        heatmaps, weights = self.teacher_heatmaps(
            clip, clean, data_samples[0].metainfo['flip_indices'])
        for i, sample in enumerate(data_samples):
            sample.gt_fields = PixelData(heatmaps=heatmaps[i])
            sample.gt_instance_labels = InstanceData(
                keypoint_weights=weights[i:i + 1])
        losses = self.head.loss(self.extract_feat(clip), data_samples,
                                train_cfg=self.train_cfg)
        losses['teacher_kept'] = weights.mean()
        return losses
