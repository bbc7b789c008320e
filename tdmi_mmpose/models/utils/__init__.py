from .deform_conv import DeformConv2dCPU, modulated_deform_conv2d_sampled

__all__ = ['DeformConv2dCPU', 'modulated_deform_conv2d_sampled']
