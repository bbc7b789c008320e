"""A video pose model for the inferencers: its config by name from the
metafiles, and its weights (a checkpoint of it, or a warm start from a
single-frame checkpoint)."""
import os.path as osp
import warnings

from mmengine.config import Config

from ....models.utils import is_video_state_dict, single_frame_state_dict
from ....utils.model_zoo import ModelNameError, find_model, is_detector


def tdmi_metafile_entry(model):
    """``(entry, package root)`` of the model of this package's metafile
    whose name or alias is ``model`` (any case), or None."""
    try:
        entry, root, _ = find_model(model, ('tdmi_mmpose', ))
    except ModelNameError:
        return None
    return entry, root


def model_from_metafile(model):
    """Config and weights of a model named (or aliased) in this package's
    metafile, else in mmpose's model zoo; a misspelt name is an error
    listing the closest names, a detector's name an error saying where it
    goes."""
    entry, root, scope = find_model(model, ('tdmi_mmpose', 'mmpose'),
                                    'model')
    if scope == 'mmpose' and is_detector(entry):
        raise ModelNameError(f'{model!r} is a detector: give it as '
                             'det_model, and a video pose model here')
    weights = entry.get('Weights')
    if weights is None:
        warnings.warn(f"{model} ({entry['Name']}) has no published "
                      'weights: give weights=<your checkpoint>')
    return Config.fromfile(osp.join(root, entry['Config'])), weights


def video_checkpoint(model, checkpoint, cfg, weights, warm_start):
    """The checkpoint mmpose's loading should put into ``model``.

    Args:
        model (nn.Module): The video pose model.
        checkpoint (dict): What was loaded from ``weights``.
        cfg (Config): The model's config.
        weights (str): The checkpoint's name (for messages).
        warm_start (bool): ``checkpoint`` is a single-frame one: give the
            warm-started state (:meth:`warm_start_state_dict`; the dataset
            meta then comes from the video model's config).

    Returns:
        dict: a checkpoint with ``state_dict``.

    Raises:
        ValueError: a single-frame checkpoint without ``warm_start``.
    """
    state = checkpoint.get('state_dict', checkpoint)
    if not warm_start:
        if not is_video_state_dict(state) and any(
                k.startswith('backbone.') for k in state):
            raise ValueError(
                f'weights {weights!r} is a single-frame checkpoint (no TDE '
                'weights), not one of this video model: give '
                'warm_start=True to start the video model from it '
                '(demo/video_demo.py --warm-start), or a checkpoint of '
                'this config')
        return checkpoint
    from mmpose.apis.inference import dataset_meta_from_config
    return dict(state_dict=model.warm_start_state_dict(
        single_frame_state_dict(
            checkpoint, name=weights,
            dataset_meta=dataset_meta_from_config(cfg, 'train')), weights))
