from .deform_conv import ModulatedDeformConv2d, modulated_deform_conv2d_sampled
from .warm_start import (WarmStartError, WarmStartInit, single_frame_state_dict,
                         warm_start, warm_start_state_dict)

__all__ = [
    'ModulatedDeformConv2d', 'modulated_deform_conv2d_sampled',
    'WarmStartError', 'WarmStartInit', 'single_frame_state_dict',
    'warm_start', 'warm_start_state_dict'
]
