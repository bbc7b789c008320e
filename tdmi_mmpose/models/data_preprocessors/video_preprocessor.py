"""Data preprocessor for multi-frame (video clip) input."""
import torch
from mmengine.model import ImgDataPreprocessor
from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS


@MODELS.register_module()
class VideoPoseDataPreprocessor(PoseDataPreprocessor):
    """Per-frame BGR-to-RGB and normalisation keeping the clip axis.

    mmpose's :class:`PoseDataPreprocessor` rejects ``(T, 3, H, W)`` samples.
    Here each sample's frames are processed as single images by mmengine's
    :class:`ImgDataPreprocessor` and regrouped: a batch of ``B`` clips of
    ``T`` frames becomes a float tensor ``(B, T, 3, H, W)``. Arguments are
    those of :class:`PoseDataPreprocessor`; batch augmentations, which are
    for bottom-up models, are not supported.
    """

    def forward(self, data, training=False):
        inputs = data['inputs']
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs)
        shapes = {tuple(clip.shape) for clip in inputs}
        if len(shapes) != 1 or len(next(iter(shapes))) != 4:
            raise ValueError('VideoPoseDataPreprocessor expects clips of '
                             'one shape (T, 3, H, W), got shapes '
                             f'{sorted(shapes)}')
        batch, frames = len(inputs), inputs[0].shape[0]
        flat = ImgDataPreprocessor.forward(
            self,
            dict(inputs=[f for clip in inputs for f in clip],
                 data_samples=data.get('data_samples')),
            training=training)
        clips = flat['inputs'].unflatten(0, (batch, frames))
        data_samples = flat['data_samples']
        if data_samples is not None:
            shape = tuple(clips.shape[-2:])
            for sample in data_samples:
                sample.set_metainfo(
                    dict(batch_input_shape=shape, pad_shape=shape))
        return dict(inputs=clips, data_samples=data_samples)
