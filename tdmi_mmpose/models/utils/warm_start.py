"""What a warm start needs to know of checkpoints, whatever the model: the
state dict of a single-frame top-down checkpoint, whether a state dict is a
video model's, and the error naming what does not fit.

The mapping of the weights themselves lives with the modules that own
them: :meth:`TDMIHead.warm_start_state` (the head's keys) and
:meth:`VideoTopdownPoseEstimator.warm_start` (the backbone, and the whole);
the ``init_cfg`` entry ``dict(type='WarmStart', checkpoint=...)`` is
:class:`tdmi_mmpose.models.pose_estimators.WarmStartInit`.
"""
import re
import warnings
from collections import OrderedDict

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from ...utils.model_zoo import resolve_weights

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


def checkpoint_keypoints(checkpoint):
    """The keypoint names a checkpoint's meta gives, in order, or None.

    mmpose 1.x checkpoints carry ``meta['dataset_meta']`` (with
    ``keypoint_id2name``); those converted from mmpose 0.x carry the
    training config's text, whose COCO or PoseTrack18 dataset type names
    the keypoint set through mmpose's metainfo files.
    """
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if not isinstance(meta, dict):
        return None
    id2name = (meta.get('dataset_meta') or {}).get('keypoint_id2name')
    if isinstance(id2name, dict) and id2name:
        return [id2name[i] for i in sorted(id2name)]
    config = meta.get('config')
    if isinstance(config, str):
        found = re.search(r"dataset_type\s*=\s*'(\w+)'", config)
        kind = found.group(1).lower() if found else ''
        for key, file in (('posetrack18', 'posetrack18.py'),
                          ('coco', 'coco.py')):
            if key in kind:
                from mmpose.datasets.datasets.utils import parse_pose_metainfo
                info = parse_pose_metainfo(
                    dict(from_file=f'configs/_base_/datasets/{file}'))
                id2name = info['keypoint_id2name']
                return [id2name[i] for i in sorted(id2name)]
    return None


def warn_keypoint_meaning(checkpoint, dataset_meta, name):
    """Warn when a checkpoint's keypoints mean other body points than the
    video model's (same count, other names: mmpose's COCO models have eyes
    where PoseTrack has head bottom and head top), naming them.

    Args:
        checkpoint (dict): The loaded checkpoint (its ``meta``).
        dataset_meta (dict | None): The video model's dataset meta
            (``keypoint_id2name``); None: nothing to compare with.
        name (str): How the warning names the checkpoint.

    Returns:
        list[tuple]: ``(index, checkpoint's name, model's name)`` of each
        keypoint whose meaning differs.
    """
    source = checkpoint_keypoints(checkpoint)
    id2name = (dataset_meta or {}).get('keypoint_id2name') or {}
    target = [id2name[i] for i in sorted(id2name)]
    if not source or not target or len(source) != len(target):
        return []
    differ = [(i, a, b) for i, (a, b) in enumerate(zip(source, target))
              if a != b]
    if differ:
        pairs = ', '.join(f'{i}: {a} -> {b}' for i, a, b in differ)
        warnings.warn(
            f'{name} was trained on another keypoint set: keypoints '
            f'{pairs} (its name -> this model\'s) mean other body points. '
            'Its poses there will be wrong until fine-tuned; for inference '
            'use a checkpoint trained on the same keypoints (mmpose\'s '
            'td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 for PoseTrack '
            'configs), the COCO one only as a start for fine-tuning',
            stacklevel=2)
    return differ


def single_frame_state_dict(checkpoint, map_location='cpu', name=None,
                            dataset_meta=None):
    """The state dict of a single-frame top-down checkpoint.

    Args:
        checkpoint (str | dict): A path, an ``http(s)://`` address or a
            model name of mmpose's metafiles (loaded by mmengine, safely),
            or an already loaded checkpoint or state dict.
        map_location: As in :func:`torch.load`. Default: ``'cpu'``.
        name (str, optional): How errors name the checkpoint (default: its
            path).
        dataset_meta (dict, optional): The video model's dataset meta: a
            warning names the keypoints whose meaning differs in the
            checkpoint's (:func:`warn_keypoint_meaning`).

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
        checkpoint = CheckpointLoader.load_checkpoint(
            resolve_weights(checkpoint, what='warm-start checkpoint'),
            map_location)
    if not isinstance(checkpoint, dict):
        raise WarmStartError(f'{name} holds a {type(checkpoint).__name__}, '
                             'not a checkpoint (a dict of weights)')
    warn_keypoint_meaning(checkpoint, dataset_meta, name)
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
