"""What a warm start needs to know of checkpoints, whatever the model: the
state dict of a single-frame top-down checkpoint, whether a state dict is a
video model's, and the error naming what does not fit.

The mapping of the weights themselves lives with the modules that own
them: :meth:`TDMIHead.warm_start_state` (the head's keys) and
:meth:`VideoTopdownPoseEstimator.warm_start` (the backbone, and the whole);
the ``init_cfg`` entry ``dict(type='WarmStart', checkpoint=...)`` is
:class:`tdmi_mmpose.models.pose_estimators.WarmStartInit`.
"""
from collections import OrderedDict

import torch
from mmengine.runner.checkpoint import CheckpointLoader

# key prefixes that only a video (TDMI / TDMI-ST) model has
VIDEO_PREFIXES = ('neck.', 'head.rdm.', 'head.fusion.',
                  'head.spatiotemporal.')


class WarmStartError(ValueError):
    """The checkpoint cannot warm-start this model (the message names the
    key and both shapes)."""


def is_video_state_dict(state):
    """Whether ``state`` (a state dict or a checkpoint holding one) holds a
    video model's weights: a TDE neck or the TDMI head's RDM, fusion or
    spatiotemporal block (``module.`` prefixes of DDP ignored)."""
    state = state.get('state_dict', state)
    return any(k.split('module.', 1)[-1].startswith(VIDEO_PREFIXES)
               for k in state)


def tensor_shape(t):
    """``tuple(t.shape)``, as error messages print it."""
    return tuple(t.shape)


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

    Raises:
        WarmStartError: the file holds no weights, or a video model's.
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
    video = [k for k in out if k.startswith(VIDEO_PREFIXES)]
    if video:
        raise WarmStartError(
            f'{name} is a video (TDMI) checkpoint, not a single-frame one '
            f'(it holds {video[0]}): load it with load_from / weights, '
            'without warm start')
    return out
