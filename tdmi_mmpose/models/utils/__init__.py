from .blocks import bn_identity_state, pass_through_state, residual_blocks
from .deform_conv import ModulatedDeformConv2d, modulated_deform_conv2d_sampled
from .warm_start import (VIDEO_PREFIXES, WarmStartError, is_video_state_dict,
                         single_frame_state_dict, tensor_shape)

__all__ = [
    'ModulatedDeformConv2d', 'modulated_deform_conv2d_sampled',
    'residual_blocks', 'bn_identity_state', 'pass_through_state',
    'VIDEO_PREFIXES', 'WarmStartError', 'is_video_state_dict',
    'single_frame_state_dict', 'tensor_shape'
]
