"""DCNv2 (modulated deformable convolution) for every device, without
``mmcv.ops``: torchvision's kernel on CUDA, ``grid_sample`` elsewhere."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.utils import _pair
from torchvision.ops import deform_conv2d


def sample_by_gather(x, py, px, scale=None):
    """Bilinear samples of ``x`` at pixel positions, zeros outside: what
    ``grid_sample(..., align_corners=True, padding_mode='zeros')`` gives,
    as four row gathers of the channels-last input (the form the ONNX
    export uses: onnxruntime runs ``Gather`` much faster than
    ``GridSample``).

    Args:
        x (Tensor): ``(N, C, H, W)``.
        py, px (Tensor): ``(N, k, ho, wo)`` positions in pixels.
        scale (Tensor, optional): ``(N, k, ho, wo)`` factors of the samples
            (DCNv2's modulation), applied to the bilinear weights.

    Returns:
        Tensor: ``(N, C, k, ho, wo)``.
    """
    c, h, w = x.shape[1:]
    rows = x.permute(0, 2, 3, 1).reshape(-1, c)  # (N * H * W, C)
    # each batch item's first row, traced without the batch size
    first = (torch.ones_like(py[:, :1, :1, :1]).cumsum(0) - 1) * (h * w)
    y0, x0 = py.floor(), px.floor()
    out = 0
    for dy in (0, 1):
        for dx in (0, 1):
            yy, xx = y0 + dy, x0 + dx
            inside = ((yy >= 0) & (yy <= h - 1) & (xx >= 0) &
                      (xx <= w - 1)).to(x.dtype)
            weight = (1 - (py - yy).abs()) * (1 - (px - xx).abs()) * inside
            if scale is not None:
                weight = weight * scale
            index = (yy.clamp(0, h - 1) * w + xx.clamp(0, w - 1) +
                     first).long()
            picked = rows[index.reshape(-1)].view(*index.shape, c)
            out = out + picked * weight.unsqueeze(-1)
    return out.permute(0, 4, 1, 2, 3).contiguous()  # (N, C, k, ho, wo)


def modulated_deform_conv2d_sampled(x, offset, mask, weight, bias=None,
                                    stride=1, padding=0, dilation=1,
                                    groups=1, deform_groups=1):
    """DCNv2 as bilinear sampling plus one matrix product, with the offset
    and mask layout of mmcv's ``ModulatedDeformConv2d``.

    Each kernel tap ``k`` of each output position samples the input at its
    regular position plus the learned offset with ``grid_sample`` (bilinear,
    zeros outside, ``align_corners=True``: exactly DCNv2's interpolation),
    is multiplied by its modulation scalar, and the taps are contracted with
    the weight. Forward and backward are ATen's own kernels (on the CPU
    several times faster than a column-buffer kernel), and the whole
    operation is made of standard ONNX ops (exported with the sampling as
    row gathers, :func:`sample_by_gather`).
    Sampling positions and the sampling itself are computed in float32 at
    least (float64 stays float64): half-precision positions would be off by
    up to half a pixel at 96 px, so under bf16/fp16 autocast the operation
    runs in float32, as torchvision's CUDA kernel does.

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
        Tensor: ``(B, C_out, Ho, Wo)``, float32 for half-precision inputs.
    """
    dtype = torch.promote_types(x.dtype, torch.float32)
    x, offset, mask, weight = (t.to(dtype) for t in (x, offset, mask, weight))
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), \
        _pair(dilation)
    c, h, w = x.shape[1:]
    c_out, _, kh, kw = weight.shape
    ho, wo = offset.shape[-2:]
    k = kh * kw
    dg = deform_groups

    def finish(out):  # (b, groups, c_out / groups, ho * wo) -> the output
        out = out.reshape(-1, c_out, ho, wo)
        if bias is not None:
            out = out + bias.to(out.dtype).view(1, -1, 1, 1)
        return out

    # regular sampling positions of every tap: (k, ho, wo)
    ky, kx = torch.meshgrid(
        torch.arange(kh, device=x.device, dtype=dtype) * dh,
        torch.arange(kw, device=x.device, dtype=dtype) * dw,
        indexing='ij')
    oy = torch.arange(ho, device=x.device, dtype=dtype) * sh - ph
    ox = torch.arange(wo, device=x.device, dtype=dtype) * sw - pw
    base_y = ky.reshape(k, 1, 1) + oy.view(1, ho, 1)
    base_x = kx.reshape(k, 1, 1) + ox.view(1, 1, wo)
    # the batch axis as -1: traced for ONNX it stays dynamic
    off = offset.view(-1, dg, k, 2, ho, wo)
    py = base_y + off[:, :, :, 0]  # (b, dg, k, ho, wo)
    px = base_x + off[:, :, :, 1]
    weight = weight.view(groups, c_out // groups, -1)
    cols_shape = (-1, groups, (c // groups) * k, ho * wo)
    if torch.onnx.is_in_onnx_export():
        # onnxruntime's GridSample is about 4x slower than row gathers;
        # the modulation goes into the (small) bilinear weights
        cols = sample_by_gather(
            x.reshape(-1, c // dg, h, w), py.reshape(-1, k, ho, wo),
            px.reshape(-1, k, ho, wo), mask.reshape(-1, k, ho, wo))
        out = torch.matmul(weight, cols.view(cols_shape))
        return finish(out)
    grid = torch.stack([px * (2.0 / max(w - 1, 1)) - 1,
                        py * (2.0 / max(h - 1, 1)) - 1], dim=-1)
    sampled = F.grid_sample(
        x.reshape(-1, c // dg, h, w),
        grid.view(-1, k * ho, wo, 2), mode='bilinear',
        padding_mode='zeros', align_corners=True)
    sampled = sampled.view(-1, dg, c // dg, k, ho, wo)
    mask = mask.view(-1, dg, 1, k, ho, wo)
    if torch.is_grad_enabled() and (sampled.requires_grad or
                                    mask.requires_grad or
                                    weight.requires_grad):
        # training: out of place (autograd keeps both factors); the
        # contraction as before, so trained models stay bit for bit
        cols = (sampled * mask).view(cols_shape)
        out = torch.einsum('gon,bgnp->bgop', weight, cols)
    else:
        # inference: the modulation in place, without a second buffer of
        # this size, and one batched GEMM (both faster on the CPU)
        cols = sampled.mul_(mask).view(cols_shape)
        out = torch.matmul(weight, cols)
    return finish(out)


class ModulatedDeformConv2d(nn.Module):
    """DCNv2 with the parameters, state-dict keys (``weight``, ``bias``),
    initialisation and offset/mask layout of mmcv's
    ``mmcv.ops.ModulatedDeformConv2d``, so checkpoints load both ways, and
    no compiled mmcv kernel:

    - CUDA: ``torchvision.ops.deform_conv2d`` (measured on an H200 at TDE's
      size: faster than mmcv's kernel, 0.94 vs 2.01 ms forward, and it runs
      under bf16 autocast, which mmcv's kernel does not);
    - every other device (the CPU above all): :func:`
      modulated_deform_conv2d_sampled`, ATen's ``grid_sample`` plus a
      matrix product, about 4x faster than mmcv's CPU kernel, and exported
      to ONNX as standard ops (the sampling as row gathers).

    Args:
        in_channels (int): Input channels C.
        out_channels (int): Output channels C_out.
        kernel_size (int | tuple[int]): ``(kh, kw)``.
        stride, padding, dilation (int | tuple[int]): As in ``Conv2d``.
        groups (int): Convolution groups. Default: 1.
        deform_groups (int): Offset groups. Default: 1.
        bias (bool): Learn a bias. Default: True.

    Shapes (``forward(x, offset, mask)``): ``x`` ``(B, C, H, W)``,
    ``offset`` ``(B, 2 * deform_groups * kh * kw, Ho, Wo)`` as ``(dy, dx)``
    per group and tap, ``mask`` ``(B, deform_groups * kh * kw, Ho, Wo)``
    -> ``(B, C_out, Ho, Wo)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, deform_groups=1,
                 bias=True):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f'in_channels ({in_channels}) and out_channels '
                             f'({out_channels}) must be divisible by '
                             f'groups ({groups})')
        if in_channels % deform_groups:
            raise ValueError(f'in_channels ({in_channels}) must be '
                             f'divisible by deform_groups ({deform_groups})')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.dilation = _pair(dilation)
        self.groups = groups
        self.deform_groups = deform_groups
        self.weight = nn.Parameter(
            torch.empty(out_channels, in_channels // groups,
                        *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter('bias', None)
        self.init_weights()

    def init_weights(self):
        """mmcv's initialisation: weight uniform in ``+-1/sqrt(C*kh*kw)``,
        bias zero."""
        bound = 1.0 / math.sqrt(self.in_channels * math.prod(
            self.kernel_size))
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x, offset, mask):
        if x.is_cuda:
            return deform_conv2d(x, offset, self.weight, self.bias,
                                 self.stride, self.padding, self.dilation,
                                 mask)
        return modulated_deform_conv2d_sampled(
            x, offset, mask, self.weight, self.bias, self.stride,
            self.padding, self.dilation, self.groups, self.deform_groups)

    def extra_repr(self):
        return (f'{self.in_channels}, {self.out_channels}, '
                f'kernel_size={self.kernel_size}, stride={self.stride}, '
                f'padding={self.padding}, dilation={self.dilation}, '
                f'groups={self.groups}, deform_groups={self.deform_groups}, '
                f'bias={self.bias is not None}')
