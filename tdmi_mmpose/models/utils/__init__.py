from .deform_conv import ModulatedDeformConv2d, modulated_deform_conv2d_sampled

__all__ = ['ModulatedDeformConv2d', 'modulated_deform_conv2d_sampled']
