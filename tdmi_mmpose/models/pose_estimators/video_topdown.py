"""Top-down pose estimator over a clip of frames around a key frame."""
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS


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
    """

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
        feats = tuple(f.unflatten(0, (batch, frames)) for f in feats)
        if self.with_neck:
            feats = self.neck(feats)
        return feats
