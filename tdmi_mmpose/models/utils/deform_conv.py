"""DCNv2 (modulated deformable convolution) with a fast CPU path."""
import torch
import torch.nn.functional as F
from mmcv.ops import ModulatedDeformConv2d
from torch.nn.modules.utils import _pair


def modulated_deform_conv2d_sampled(x, offset, mask, weight, bias=None,
                                    stride=1, padding=0, dilation=1,
                                    groups=1, deform_groups=1):
    """DCNv2 as bilinear sampling plus one matrix product, with the offset
    and mask layout of :class:`mmcv.ops.ModulatedDeformConv2d`.

    Each kernel tap ``k`` of each output position samples the input at its
    regular position plus the learned offset with ``grid_sample`` (bilinear,
    zeros outside, ``align_corners=True``: exactly DCNv2's interpolation),
    is multiplied by its modulation scalar, and the taps are contracted with
    the weight. Forward and backward are ATen's own kernels, which on the
    CPU are several times faster than the column-buffer implementation.

    Args:
        x (Tensor): ``(B, C, H, W)``.
        offset (Tensor): ``(B, 2 * dg * kh * kw, Ho, Wo)``, per deform
            group and tap ``(dy, dx)``.
        mask (Tensor): ``(B, dg * kh * kw, Ho, Wo)``.
        weight (Tensor): ``(C_out, C / groups, kh, kw)``.
        bias (Tensor, optional): ``(C_out,)``.
        stride, padding, dilation (int | tuple): As in ``Conv2d``.
        groups (int): Convolution groups.
        deform_groups (int): Offset groups ``dg``.

    Returns:
        Tensor: ``(B, C_out, Ho, Wo)``.
    """
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), \
        _pair(dilation)
    b, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    ho, wo = offset.shape[-2:]
    k = kh * kw
    dg = deform_groups
    # regular sampling positions of every tap: (k, ho, wo)
    ky, kx = torch.meshgrid(
        torch.arange(kh, device=x.device, dtype=x.dtype) * dh,
        torch.arange(kw, device=x.device, dtype=x.dtype) * dw,
        indexing='ij')
    oy = torch.arange(ho, device=x.device, dtype=x.dtype) * sh - ph
    ox = torch.arange(wo, device=x.device, dtype=x.dtype) * sw - pw
    base_y = ky.reshape(k, 1, 1) + oy.view(1, ho, 1)
    base_x = kx.reshape(k, 1, 1) + ox.view(1, 1, wo)
    off = offset.view(b, dg, k, 2, ho, wo)
    py = base_y + off[:, :, :, 0]  # (b, dg, k, ho, wo)
    px = base_x + off[:, :, :, 1]
    grid = torch.stack([px * (2.0 / max(w - 1, 1)) - 1,
                        py * (2.0 / max(h - 1, 1)) - 1], dim=-1)
    sampled = F.grid_sample(
        x.reshape(b * dg, c // dg, h, w),
        grid.view(b * dg, k * ho, wo, 2), mode='bilinear',
        padding_mode='zeros', align_corners=True)
    sampled = sampled.view(b, dg, c // dg, k, ho, wo) * mask.view(
        b, dg, 1, k, ho, wo)
    cols = sampled.view(b, groups, (c // groups) * k, ho * wo)
    out = torch.einsum('gon,bgnp->bgop',
                       weight.view(groups, c_out // groups, -1), cols)
    out = out.reshape(b, c_out, ho, wo)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out


class DeformConv2dCPU(ModulatedDeformConv2d):
    """:class:`mmcv.ops.ModulatedDeformConv2d` whose CPU forward and
    backward run :func:`modulated_deform_conv2d_sampled`; CUDA tensors keep
    mmcv's kernels. Same parameters, same state dict, same results (within
    float rounding)."""

    def forward(self, x, offset, mask):
        if x.is_cuda:
            return super().forward(x, offset, mask)
        return modulated_deform_conv2d_sampled(
            x, offset, mask, self.weight, self.bias, self.stride,
            self.padding, self.dilation, self.groups, self.deform_groups)
