"""Inference of a video top-down model on one clip, like mmpose's
``inference_topdown`` on one image."""
import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmpose.structures.bbox import bbox_xywh2xyxy

from ..datasets.transforms import LoadVideoFrames


def inference_video_topdown(model, frames, bboxes=None, bbox_format='xyxy'):
    """Estimate the poses in the key (centre) frame of a clip.

    Args:
        model (nn.Module): A video top-down model from
            ``mmpose.apis.init_model`` (e.g. TDMI).
        frames (list[str | np.ndarray]): ``T = 2*delta + 1`` frames in
            temporal order (file paths or BGR arrays); the key frame is
            ``frames[T // 2]``. Repeat the first/last frame at a video's
            ends.
        bboxes (array-like, optional): ``(N, 4)`` person boxes in the key
            frame; None uses the whole frame.
        bbox_format (str): ``'xyxy'`` or ``'xywh'``.

    Returns:
        list[PoseDataSample]: One per box, keypoints in the key frame's
        image coordinates (``pred_instances.keypoints``).
    """
    expected = getattr(model.neck, 'num_frames', len(frames))
    if len(frames) != expected:
        raise ValueError(f'the model takes clips of {expected} frames, got '
                         f'{len(frames)}')
    if bbox_format not in ('xyxy', 'xywh'):
        raise ValueError(f"bbox_format must be 'xyxy' or 'xywh', got "
                         f'{bbox_format!r}')
    init_default_scope(model.cfg.get('default_scope', 'mmpose'))
    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    clip = dict(img_path=None)
    if all(isinstance(f, str) for f in frames):
        clip = LoadVideoFrames()(dict(frame_paths=list(frames),
                                      img_path=frames[len(frames) // 2]))
        frames = clip['img']
    h, w = frames[len(frames) // 2].shape[:2]
    if bboxes is None or len(bboxes) == 0:
        bboxes = np.array([[0, 0, w, h]], dtype=np.float32)
    bboxes = np.asarray(bboxes, dtype=np.float32).reshape(-1, 4)
    if bbox_format == 'xywh':
        bboxes = bbox_xywh2xyxy(bboxes)
    data = []
    for bbox in bboxes:
        info = dict(img=list(frames), img_path=clip['img_path'],
                    frame_paths=clip.get('frame_paths'), bbox=bbox[None],
                    bbox_score=np.ones(1, dtype=np.float32))
        info.update(model.dataset_meta)
        data.append(pipeline(info))
    with torch.no_grad():
        return model.test_step(pseudo_collate(data))
