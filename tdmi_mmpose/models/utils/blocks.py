"""Residual blocks shared by TDE and the TDMI head, and the weights that
make such blocks pass a feature through unchanged (for the warm start)."""
import torch
import torch.nn as nn
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmpose.models.backbones.resnet import BasicBlock


def residual_blocks(in_channels, channels, num_blocks, norm_cfg):
    """``num_blocks`` 3x3 residual blocks ``(B, in_channels, h, w) ->
    (B, channels, h, w)``; the first projects the channels with a 1x1
    shortcut when ``in_channels != channels``."""
    downsample = None
    if in_channels != channels:
        downsample = nn.Sequential(
            build_conv_layer(None, in_channels, channels, 1, bias=False),
            build_norm_layer(norm_cfg, channels)[1])
    blocks = [BasicBlock(in_channels, channels, downsample=downsample,
                         norm_cfg=norm_cfg)]
    blocks += [BasicBlock(channels, channels, norm_cfg=norm_cfg)
               for _ in range(num_blocks - 1)]
    return nn.Sequential(*blocks)


def bn_identity_state(prefix, norm):
    """State of a BatchNorm ``norm`` that is the identity in eval mode
    (running mean 0, variance 1, weight ``sqrt(1 + eps)``, bias 0)."""
    c = norm.num_features
    return {
        f'{prefix}.weight': torch.full((c, ), (1 + norm.eps)**0.5),
        f'{prefix}.bias': torch.zeros(c),
        f'{prefix}.running_mean': torch.zeros(c),
        f'{prefix}.running_var': torch.ones(c),
    }


def pass_through_state(prefix, blocks, first, channels):
    """State making :func:`residual_blocks` ``blocks`` (the first with a
    1x1 projection) return channels ``first:first+channels`` of their input,
    ReLU'd: the projection selects them, its BatchNorm is the identity and
    the last BatchNorm of every residual branch is zero.

    Args:
        prefix (str): The blocks' key prefix in the state dict.
        blocks (nn.Sequential): The blocks.
        first (int): First input channel passed through.
        channels (int): Number of channels passed through.

    Returns:
        dict[str, Tensor]: The keys to set.
    """
    state = {}
    proj = blocks[0].downsample[0].weight
    weight = torch.zeros_like(proj)
    weight[:, first:first + channels, 0, 0] = torch.eye(channels)
    state[f'{prefix}.0.downsample.0.weight'] = weight
    state.update(bn_identity_state(f'{prefix}.0.downsample.1',
                                   blocks[0].downsample[1]))
    for i, block in enumerate(blocks):
        name = f'{prefix}.{i}.{block.norm2_name}'
        state[f'{name}.weight'] = torch.zeros_like(block.norm2.weight)
        state[f'{name}.bias'] = torch.zeros_like(block.norm2.bias)
    return state
