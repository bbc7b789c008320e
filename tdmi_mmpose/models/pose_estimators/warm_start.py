"""The warm start as mmpose configs name it: ``init_cfg=dict(type=
'WarmStart', checkpoint=...)`` on a :class:`VideoTopdownPoseEstimator`."""
from mmpose.registry import WEIGHT_INITIALIZERS


def warm_start(model, checkpoint, map_location='cpu', logger=None,
               name=None):
    """Warm-start ``model`` (TDMI or TDMI-ST) from a single-frame top-down
    checkpoint, in place: :meth:`VideoTopdownPoseEstimator.warm_start`.

    Args:
        model (VideoTopdownPoseEstimator): The model.
        checkpoint (str | dict): Path, ``http(s)://`` address, mmpose
            model name or loaded checkpoint of the single-frame model.
        map_location: As in :func:`torch.load`. Default: ``'cpu'``.
        logger (logging.Logger, optional): Where to say what was done.
        name (str, optional): How errors name the checkpoint.

    Returns:
        The model.
    """
    return model.warm_start(checkpoint, map_location, logger, name)


@WEIGHT_INITIALIZERS.register_module(name='WarmStart')
class WarmStartInit:
    """Initialiser ``dict(type='WarmStart', checkpoint=...)`` for the
    estimator's ``init_cfg``; :class:`VideoTopdownPoseEstimator` applies it
    after all other initialisation, as mmengine does with ``Pretrained``.

    Args:
        checkpoint (str): Path, ``http(s)://`` address or mmpose model
            name (``td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288``) of a
            single-frame top-down model with the config's backbone.
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
