"""Multi-stage Temporal Difference Encoder (TDE), TDMI Sec. 3.1."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpose.registry import MODELS

from ..utils import ModulatedDeformConv2d, residual_blocks


def temporal_difference(feats):
    """Eq. 1-2: consecutive-frame feature differences, concatenated.

    Args:
        feats (Tensor): ``(B, T, C, h, w)`` features of frames in temporal
            order ``t-delta ... t+delta``.

    Returns:
        Tensor: ``(B, (T-1)*C, h, w)``: ``[F_{t-d+1}-F_{t-d}, ...,
        F_{t+d}-F_{t+d-1}]`` along channels.
    """
    return (feats[:, 1:] - feats[:, :-1]).flatten(1, 2)


class SpatialModulation(nn.Module):
    """Eq. 3-4: DCNv2 over ``D_j`` with offsets ``O_j`` and modulation
    scalars ``W_j`` predicted from ``D_j`` by residual blocks and a regular
    3x3 convolution each.

    The offset and scalar convolutions start near zero (normal, std
    ``1e-3``): the deformable convolution begins as almost a regular 3x3
    convolution with scalars near 0.5, while gradients already reach the
    residual blocks before them (an exactly zero start would block them).
    The DCN is :class:`ModulatedDeformConv2d` (mmcv's parameter layout;
    torchvision's kernel on CUDA, ``grid_sample`` elsewhere).
    """

    def __init__(self, channels, deform_groups=1, num_blocks=1,
                 norm_cfg=dict(type='BN')):
        super().__init__()
        k = 3 * 3 * deform_groups
        self.offset_branch = nn.Sequential(
            residual_blocks(channels, channels, num_blocks, norm_cfg),
            nn.Conv2d(channels, 2 * k, 3, padding=1))
        self.mask_branch = nn.Sequential(
            residual_blocks(channels, channels, num_blocks, norm_cfg),
            nn.Conv2d(channels, k, 3, padding=1))
        self.dcn = ModulatedDeformConv2d(
            channels, channels, 3, padding=1, deform_groups=deform_groups)
        for conv in (self.offset_branch[-1], self.mask_branch[-1]):
            nn.init.normal_(conv.weight, std=1e-3)
            nn.init.zeros_(conv.bias)

    def forward(self, d):
        """``(B, C, h, w)`` -> ``(B, C, h, w)``: D_j -> D-bar_j."""
        offsets = self.offset_branch(d)
        scalars = torch.sigmoid(self.mask_branch(d))
        return self.dcn(d, offsets, scalars)


@MODELS.register_module()
class TDE(BaseModule):
    """Multi-stage Temporal Difference Encoder (Sec. 3.1, Eq. 1-5).

    Input: the backbone's per-stage features of all frames; output: the
    motion feature ``M`` and, passed through, the visual features ``F^4`` of
    every frame (the head picks the key frame, or all of them for TDMI-ST).

    Args:
        in_channels (int): Channels of each stage feature (48 for W48).
        channels (int): Channels of ``D_j`` and ``M``. Default: 48.
        num_frames (int): ``T = 2*delta + 1``. Default: 5 (delta = 2).
        stages (tuple[int]): Stages J used; ``(4,)`` is Table 6 (a).
        num_blocks (tuple[int]): Residual blocks of the intra-stage fusion
            (Eq. 2) per stage; the paper's {3, 3, 2, 2}.
        fusion (str): Inter-stage fusion: ``'progressive'`` (Eq. 5) or
            ``'concat'`` (Table 6 (b): concatenation and convolution).
        modulation (bool): Spatial modulation by DCNv2 (Eq. 3-4); False is
            Table 6 (c).
        deform_groups (int): DCNv2 offset groups (paper silent). Default: 1.
        modulation_blocks (int): Residual blocks before the offset and
            scalar convolutions of Eq. 3 (paper: "residual blocks"; chosen:
            1).
        norm_cfg (dict): Normalisation layers. Default: BN.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels=48,
                 channels=48,
                 num_frames=5,
                 stages=(1, 2, 3, 4),
                 num_blocks=(3, 3, 2, 2),
                 fusion='progressive',
                 modulation=True,
                 deform_groups=1,
                 modulation_blocks=1,
                 norm_cfg=dict(type='BN'),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if num_frames < 2:
            raise ValueError(f'TDE needs at least 2 frames, got {num_frames}')
        if fusion not in ('progressive', 'concat'):
            raise ValueError(f"fusion must be 'progressive' or 'concat', "
                             f'got {fusion!r}')
        if not set(stages) <= {1, 2, 3, 4}:
            raise ValueError(f'stages must be a subset of (1, 2, 3, 4), '
                             f'got {stages}')
        self.num_frames = num_frames
        self.stages = tuple(stages)
        self.fusion = fusion
        diff_channels = (num_frames - 1) * in_channels
        # Eq. 2: intra-stage fusion of the difference sequence S_j.
        self.intra_stage = nn.ModuleList([
            residual_blocks(diff_channels, channels, num_blocks[j - 1],
                            norm_cfg) for j in self.stages
        ])
        # Eq. 3-4: spatial modulation.
        self.modulation = nn.ModuleList([
            SpatialModulation(channels, deform_groups, modulation_blocks,
                              norm_cfg) if modulation else nn.Identity()
            for _ in self.stages
        ])
        if fusion == 'progressive':
            # Eq. 5: M = Conv(...Conv(Conv(D1) + D2)... + D4).
            self.accumulate = nn.ModuleList([
                residual_blocks(channels, channels, 1, norm_cfg)
                for _ in self.stages
            ])
        else:
            self.accumulate = residual_blocks(
                len(self.stages) * channels, channels, 1, norm_cfg)

    def forward(self, feats):
        """Args:
            feats (tuple[Tensor]): ``(F^1, ..., F^4)``, each
                ``(B, T, C, h, w)``, frames in temporal order.

        Returns:
            tuple[Tensor, Tensor]: the motion feature ``M`` ``(B, channels,
            h, w)`` and the visual features ``F^4`` ``(B, T, C, h, w)``.
        """
        if feats[-1].size(1) != self.num_frames:
            raise ValueError(f'TDE was built for {self.num_frames} frames, '
                             f'got {feats[-1].size(1)}')
        modulated = [
            modulate(intra(temporal_difference(feats[j - 1])))
            for j, intra, modulate in zip(self.stages, self.intra_stage,
                                          self.modulation)
        ]
        if self.fusion == 'concat':
            motion = self.accumulate(torch.cat(modulated, dim=1))
        else:
            motion = self.accumulate[0](modulated[0])
            for d_bar, conv in zip(modulated[1:], self.accumulate[1:]):
                motion = conv(motion + d_bar)
        return motion, feats[-1]
