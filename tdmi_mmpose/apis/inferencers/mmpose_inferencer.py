"""mmpose's ``MMPoseInferencer`` that also runs video pose models."""
import os.path as osp

from mmengine.config import Config
from mmpose.apis.inferencers import MMPoseInferencer as _MMPoseInferencer

from ...models.utils import is_video_state_dict
from ...utils.checkpoint import load_checkpoint_safely
from ...utils.model_zoo import ModelNameError, find_model
from .video_pose_inferencer import VideoPoseInferencer


def is_video_model(pose2d):
    """Whether ``pose2d`` (a config path, ``Config`` or model name) names a
    video pose model: a config whose neck has ``num_frames``, directly or
    through a name or alias of this package's metafile."""
    if isinstance(pose2d, str) and not osp.isfile(pose2d):
        found = VideoPoseInferencer.metafile_entry(pose2d)
        if found is None:
            return False
        entry, root = found
        pose2d = osp.join(root, entry['Config'])
    if isinstance(pose2d, str):
        pose2d = Config.fromfile(pose2d)
    if not isinstance(pose2d, (Config, dict)):
        return False
    return 'num_frames' in (pose2d.get('model', {}).get('neck') or {})


class MMPoseInferencer(_MMPoseInferencer):
    """mmpose's ``MMPoseInferencer``, with video pose models behind it.

    When ``pose2d`` is a video model (a TDMI config, or a name or alias of
    this package's metafile such as ``'tdmi'``), a
    :class:`VideoPoseInferencer` is built behind it, with mmpose's call
    signature and outputs (one result per frame, ``visualization``,
    ``vis_out_dir``, ``pred_out_dir``, ``return_vis``), each person with
    its ``track_id``; everything else behaves exactly as in mmpose.

    Args:
        pose2d, pose2d_weights, pose3d, pose3d_weights, device, scope,
        det_model, det_weights, det_cat_ids, show_progress: As mmpose's
            ``MMPoseInferencer``.
        **video_kwargs: For a video model, :class:`VideoPoseInferencer`'s
            other arguments (``tracker``, ``flip_test``, ``warm_start``,
            ``reuse_features``, ``backend``...).

    Example:
        >>> from tdmi_mmpose.apis import MMPoseInferencer
        >>> inferencer = MMPoseInferencer('tdmi', pose2d_weights='tdmi.pth')
        >>> for result in inferencer('video.mp4', vis_out_dir='out'):
        ...     people = result['predictions'][0]
    """

    def __init__(self, pose2d=None, pose2d_weights=None, pose3d=None,
                 pose3d_weights=None, device=None, scope='mmpose',
                 det_model=None, det_weights=None, det_cat_ids=None,
                 show_progress=False, **video_kwargs):
        video = pose3d is None and pose2d is not None and \
            is_video_model(pose2d)
        if not video:
            if video_kwargs:
                raise TypeError(
                    f'{sorted(video_kwargs)} are arguments of video pose '
                    f'models; pose2d={pose2d!r} is a single-frame model')
            if isinstance(pose2d, str) and not osp.isfile(pose2d):
                # a name no metafile has: say so (with the closest names)
                # before anything is said of the weights
                try:
                    find_model(pose2d, ('tdmi_mmpose', 'mmpose'), 'pose2d')
                except ModelNameError as err:
                    raise ModelNameError(
                        f'pose2d={pose2d!r} is neither a config file nor a '
                        'model name or alias of mmpose or tdmi_mmpose '
                        f'({err}); `mim search mmpose` and `mim search '
                        'tdmi_mmpose` list the names') from None
            if isinstance(pose2d_weights, str) and osp.isfile(
                    pose2d_weights) and is_video_state_dict(
                        load_checkpoint_safely(pose2d_weights, 'cpu')):
                raise ValueError(
                    f'pose2d_weights={pose2d_weights!r} is a video (TDMI) '
                    f'checkpoint, but pose2d={pose2d!r} is a single-frame '
                    'model: give pose2d the TDMI config (or name) it was '
                    'trained with')
            try:
                return super().__init__(pose2d, pose2d_weights, pose3d,
                                        pose3d_weights, device, scope,
                                        det_model, det_weights, det_cat_ids,
                                        show_progress)
            except ValueError as err:
                if 'Cannot find model' not in str(err):
                    raise
                raise ValueError(
                    f'pose2d={pose2d!r} is neither a config file nor a '
                    'model name or alias of mmpose or tdmi_mmpose: give a '
                    'config path, or a name `mim search mmpose` or `mim '
                    'search tdmi_mmpose` lists') from err
        self.visualizer = None
        self.show_progress = show_progress
        self.inferencer = VideoPoseInferencer(
            pose2d, pose2d_weights, device=device, scope=scope,
            det_model=det_model, det_weights=det_weights,
            det_cat_ids=0 if det_cat_ids is None else det_cat_ids,
            show_progress=show_progress, **video_kwargs)
        # the video inferencer's call arguments (online, ...) as well
        for kind in ('preprocess_kwargs', 'forward_kwargs',
                     'visualize_kwargs', 'postprocess_kwargs'):
            setattr(self, kind, getattr(type(self), kind)
                    | getattr(self.inferencer, kind))

    def postprocess(self, preds, visualization, return_datasamples=False,
                    **kwargs):
        """mmpose's, or for a video model the video inferencer's (each
        person with its ``track_id``)."""
        if isinstance(self.inferencer, VideoPoseInferencer):
            return self.inferencer.postprocess(
                preds, visualization,
                return_datasamples=return_datasamples, **kwargs)
        return super().postprocess(preds, visualization,
                                   return_datasamples=return_datasamples,
                                   **kwargs)
