"""Warm start: TDMI built from a single-frame top-down checkpoint so that it
starts exactly where the single-frame model is.

TDMI's backbone is the single-frame model's HRNet and its detection head is
a convolution on the same feature ``F^4`` of the key frame. A warm start

* copies the backbone;
* copies the detection head, a ``1x1`` final layer placed at the centre of
  TDMI's ``3x3`` kernel (the other taps zero);
* makes every path through which the neighbour frames enter contribute
  exactly zero: the first fusion block's ``1x1`` projection passes ``F``
  through (identity on ``F``'s channels, zero on ``M_u``'s, its BatchNorm
  at identity) and the last BatchNorm of each residual branch of the fusion
  starts at zero, so ``F~ = ReLU(F) = F`` (HRNet's stage outputs end in a
  ReLU); for TDMI-ST the spatiotemporal block likewise passes the key
  frame's ``F^4`` through;
* leaves TDE and RDM at their random initialisation.

So in eval mode the warm-started TDMI gives the single-frame model's
heatmaps on the key frame, whatever the neighbours; gradients reach the
zeroed scales at the first step (and TDE, RDM through L_MI from the start),
after which the neighbours change the output. Nothing in the architecture
changes, and without a warm start the paper's random initialisation stays.

Use it as the estimator's ``init_cfg`` (applied after every other
initialisation)::

    model = dict(init_cfg=dict(type='WarmStart', checkpoint='sf.pth'))

or convert once with ``tools/model_converters/warm_start.py`` and load the
result like any TDMI checkpoint.
"""
from collections import OrderedDict

import torch
from mmengine.model.weight_init import WEIGHT_INITIALIZERS
from mmengine.runner.checkpoint import CheckpointLoader

# keys of the single-frame model that a warm start takes
_HEAD_KEYS = ('head.final_layer.weight', 'head.final_layer.bias')
# keys that only a video model has: such a checkpoint is no single-frame one
_VIDEO_PREFIXES = ('neck.', 'head.rdm.', 'head.fusion.',
                   'head.spatiotemporal.')


class WarmStartError(ValueError):
    """The checkpoint cannot warm-start this model (the message names the
    key and both shapes)."""


def single_frame_state_dict(checkpoint, map_location='cpu', name=None):
    """The state dict of a single-frame top-down checkpoint.

    Args:
        checkpoint (str | dict): A path or ``http(s)://`` address (loaded by
            mmengine, safely), or an already loaded checkpoint or state
            dict.
        map_location: As in :func:`torch.load`. Default: ``'cpu'``.
        name (str, optional): How errors name the checkpoint (default: its
            path).

    Returns:
        OrderedDict[str, Tensor]: mmpose keys (``backbone.*``, ``head.*``);
        ``module.`` prefixes (DDP) are removed and mmpose 0.x's
        ``keypoint_head.`` is renamed ``head.``, as mmpose's estimators do.
    """
    name = name or (checkpoint if isinstance(checkpoint, str) else
                    'the checkpoint')
    if isinstance(checkpoint, str):
        checkpoint = CheckpointLoader.load_checkpoint(checkpoint,
                                                      map_location)
    if not isinstance(checkpoint, dict):
        raise WarmStartError(f'{name} holds a {type(checkpoint).__name__}, '
                             'not a checkpoint (a dict of weights)')
    state = checkpoint.get('state_dict', checkpoint)
    out = OrderedDict()
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise WarmStartError(
                f'{name} is not a model checkpoint: its entry {key!r} is a '
                f'{type(value).__name__}, not a tensor')
        key = key[len('module.'):] if key.startswith('module.') else key
        if key.startswith('keypoint_head.'):
            key = 'head.' + key[len('keypoint_head.'):]
        out[key] = value
    return out


def _bn_identity(prefix, norm):
    """State of a BatchNorm that is the identity in eval mode."""
    c = norm.num_features
    return {
        f'{prefix}.weight': torch.full((c, ), (1 + norm.eps)**0.5),
        f'{prefix}.bias': torch.zeros(c),
        f'{prefix}.running_mean': torch.zeros(c),
        f'{prefix}.running_var': torch.ones(c),
    }


def _pass_through(prefix, blocks, first, channels):
    """State making ``blocks`` (mmpose ``BasicBlock`` s, the first with a
    ``1x1`` projection) return channels ``first:first+channels`` of their
    input, ReLU'd: projection = selection, its BatchNorm the identity, the
    last BatchNorm of every residual branch zero."""
    state = {}
    proj = blocks[0].downsample[0].weight
    weight = torch.zeros_like(proj)
    weight[:, first:first + channels, 0, 0] = torch.eye(channels)
    state[f'{prefix}.0.downsample.0.weight'] = weight
    state.update(_bn_identity(f'{prefix}.0.downsample.1',
                              blocks[0].downsample[1]))
    for i, block in enumerate(blocks):
        name = f'{prefix}.{i}.{block.norm2_name}'
        state[f'{name}.weight'] = torch.zeros_like(block.norm2.weight)
        state[f'{name}.bias'] = torch.zeros_like(block.norm2.bias)
    return state


def _shape(t):
    return tuple(t.shape)


def warm_start_state_dict(model, source, name='the checkpoint'):
    """The full state dict of a warm-started TDMI (see the module's text).

    Args:
        model (VideoTopdownPoseEstimator): TDMI or TDMI-ST (TDE neck,
            :class:`TDMIHead`); its TDE and RDM weights are kept.
        source (dict[str, Tensor]): :func:`single_frame_state_dict` of a
            single-frame top-down model with the same backbone and a heatmap
            head whose only layer is its final convolution.
        name (str): How errors name the checkpoint.

    Returns:
        OrderedDict[str, Tensor]: every key of ``model.state_dict()``.

    Raises:
        WarmStartError: naming the first missing, left-over or mis-shaped
            key (with both shapes); the model is not touched.
    """
    from ..heads import TDMIHead
    head = getattr(model, 'head', None)
    if not isinstance(head, TDMIHead):
        raise WarmStartError(
            f'warm start builds a TDMI model (TDMIHead) from a single-frame '
            f'checkpoint; this model is a {type(model).__name__} with a '
            f'{type(head).__name__}: load {name} with load_from instead')
    video = [k for k in source if k.startswith(_VIDEO_PREFIXES)]
    if video:
        raise WarmStartError(
            f'{name} is a video (TDMI) checkpoint, not a single-frame one '
            f'(it holds {video[0]}): load it with load_from / weights, '
            'without warm start')
    target = OrderedDict(
        (k, v.detach().clone()) for k, v in model.state_dict().items())
    used = set()
    for key, value in target.items():
        if not key.startswith('backbone.') or (
                key.endswith('num_batches_tracked') and key not in source):
            continue
        if key not in source:
            raise WarmStartError(
                f'{name} does not hold {key} {_shape(value)} of the '
                "config's backbone: it is another backbone; give a "
                'checkpoint of a single-frame model with the same backbone '
                'as the config (type, width, stages)')
        if _shape(source[key]) != _shape(value):
            raise WarmStartError(
                f'{name} holds {key} with shape {_shape(source[key])}, the '
                f'config\'s backbone {_shape(value)}: it is another backbone '
                '(another width or type); give a checkpoint of a '
                'single-frame model with the same backbone as the config')
        target[key] = source[key].to(value.dtype)
        used.add(key)
    weight_key, bias_key = _HEAD_KEYS
    if weight_key not in source:
        raise WarmStartError(
            f'{name} holds no {weight_key}: warm start needs a single-frame '
            'top-down model with a heatmap head (mmpose HeatmapHead)')
    src_w, src_b = source[weight_key], source.get(bias_key)
    dst_w = target[weight_key]
    if (src_w.dim() != 4 or src_w.shape[1] != dst_w.shape[1]
            or src_w.shape[0] != dst_w.shape[0]
            or src_w.shape[2] != src_w.shape[3]
            or src_w.shape[2] % 2 == 0 or src_w.shape[2] > dst_w.shape[2]):
        what = ('keypoints' if src_w.dim() == 4
                and src_w.shape[0] != dst_w.shape[0] else
                'input channels or kernel size')
        raise WarmStartError(
            f'{name} holds {weight_key} with shape {_shape(src_w)}, the '
            f'config\'s head {_shape(dst_w)}: another number of {what}; '
            'give a single-frame checkpoint with as many keypoints and '
            "the config's backbone width")
    w = torch.zeros_like(dst_w)
    k, c = src_w.shape[2], dst_w.shape[2] // 2
    w[..., c - k // 2:c + k // 2 + 1, c - k // 2:c + k // 2 + 1] = src_w
    target[weight_key] = w
    used.add(weight_key)
    if src_b is not None:
        if _shape(src_b) != _shape(target[bias_key]):
            raise WarmStartError(
                f'{name} holds {bias_key} with shape {_shape(src_b)}, the '
                f'config\'s head {_shape(target[bias_key])}')
        target[bias_key] = src_b.to(dst_w.dtype)
        used.add(bias_key)
    else:
        target[bias_key] = torch.zeros_like(target[bias_key])
    left = [k for k in source
            if k not in used and not k.endswith('num_batches_tracked')]
    if left:
        raise WarmStartError(
            f'{name} holds {left[0]} {_shape(source[left[0]])} (and '
            f'{len(left) - 1} more keys) that TDMI has no place for: its '
            'head has layers besides the final convolution (deconvolutions '
            'or convolutions) or its backbone has more modules than the '
            "config's; warm start needs a heatmap head with a final layer "
            'only (mmpose HRNet configs: deconv_out_channels=None)')
    # F~ = fusion([M_u, F]): F's channels follow M_u's
    channels = head.fusion[0].conv2.out_channels
    target.update(_pass_through('head.fusion', head.fusion,
                                head.fusion[0].conv1.in_channels - channels,
                                channels))
    if head.visual == 'sequence':
        target.update(_pass_through('head.spatiotemporal',
                                    head.spatiotemporal,
                                    head.key_frame_index * channels,
                                    channels))
    return target


def warm_start(model, checkpoint, map_location='cpu', logger=None,
               name=None):
    """Warm-start ``model`` (TDMI or TDMI-ST) from a single-frame top-down
    checkpoint, in place (see the module's text).

    Args:
        model (VideoTopdownPoseEstimator): The model.
        checkpoint (str | dict): Path, ``http(s)://`` address or loaded
            checkpoint of the single-frame model.
        map_location: As in :func:`torch.load`. Default: ``'cpu'``.
        logger (logging.Logger, optional): Where to say what was done.
        name (str, optional): How errors name the checkpoint (default: its
            path).

    Returns:
        The model. On any error nothing of it has changed.
    """
    name = name or (checkpoint if isinstance(checkpoint, str) else
                    'the checkpoint')
    source = single_frame_state_dict(checkpoint, map_location, name)
    state = warm_start_state_dict(model, source, name)
    model.load_state_dict(state, strict=True)
    if logger is not None:
        logger.info(f'warm start from {name}: backbone and detection head '
                    'copied; the neighbour frames enter at zero')
    return model


@WEIGHT_INITIALIZERS.register_module(name='WarmStart')
class WarmStartInit:
    """mmengine initialiser ``dict(type='WarmStart', checkpoint=...)``: the
    model's ``init_cfg`` (see :func:`warm_start`).
    :class:`VideoTopdownPoseEstimator` applies it after all other
    initialisation, as mmengine does with ``Pretrained``.

    Args:
        checkpoint (str): Path or ``http(s)://`` address of a single-frame
            top-down checkpoint with the config's backbone.
        map_location (str): Where to load it. Default: ``'cpu'``.
    """

    def __init__(self, checkpoint, map_location='cpu'):
        if not checkpoint:
            raise ValueError("WarmStart needs checkpoint='<single-frame "
                             "checkpoint>'")
        self.checkpoint = checkpoint
        self.map_location = map_location

    def __call__(self, module):
        from mmengine.logging import MMLogger
        warm_start(module, self.checkpoint, self.map_location,
                   MMLogger.get_current_instance())

    def _get_init_info(self):
        return f'{self.__class__.__name__}: checkpoint={self.checkpoint}'
