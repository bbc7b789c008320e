"""Inference of a video top-down model on one clip, like mmpose's
``inference_topdown`` on one image."""
import os
import warnings

import mmcv
import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmpose.structures.bbox import bbox_xywh2xyxy

from ..utils.boxes import box_problems


def as_bgr_uint8(frame, name='frame'):
    """A frame as an ``(H, W, 3)`` uint8 BGR array.

    Rules: a path (``str`` or ``os.PathLike``) is read with mmcv; ``(H, W)``
    and ``(H, W, 1)`` grayscale arrays are repeated to 3 channels; float
    arrays whose values all lie in ``[0, 1]`` are taken as ``[0, 1]``
    images and scaled by 255, other float arrays as ``[0, 255]``; values
    are clipped to ``[0, 255]``.

    Args:
        frame (str | os.PathLike | np.ndarray): The frame.
        name (str): How errors name the frame.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8.
    """
    if isinstance(frame, (str, os.PathLike)):
        path = os.fspath(frame)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'{name} {path} does not exist')
        try:
            img = mmcv.imread(path)
        except Exception:  # noqa: BLE001 (cv2 or PIL decoding errors)
            img = None
        if img is None:
            raise ValueError(f'{name} {path} could not be decoded as an '
                             'image: replace or remove that file')
        return img
    img = np.asarray(frame)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'{name} has shape {img.shape}; give (H, W, 3) BGR, '
                         '(H, W) or (H, W, 1) grayscale arrays or file paths')
    if np.issubdtype(img.dtype, np.floating):
        finite = img[np.isfinite(img)]
        if finite.size and finite.min() >= 0 and finite.max() <= 1:
            img = img * 255.0
        img = np.nan_to_num(img, nan=0.0)
    return np.clip(img, 0, 255).astype(np.uint8)


def count_frames(video):
    """The number of frames of a video file or a folder of frames.

    Raises:
        ValueError: the file cannot be read as a video, or it (or the
            folder) holds no readable frame; the message names it.
    """
    if os.path.isdir(video):  # a folder of frames (PoseTrack's videos)
        from ..utils.frames import frame_files
        count = len(frame_files(video))
    else:
        try:
            reader = mmcv.VideoReader(video)
        except Exception as err:  # noqa: BLE001 (reported with the file)
            raise ValueError(f'cannot read {video} as a video ({err})') \
                from None
        count = reader.frame_cnt if reader.read() is not None else 0
    if count == 0:
        raise ValueError(f'{video} holds no readable frame')
    return count


def person_boxes(bboxes, bbox_format, image_shape, name='frame'):
    """Boxes ``(N, 4)`` xyxy and scores ``(N,)`` from ``(N, 4)`` or
    ``(N, 5)`` input (column 5: the box score), without the boxes that are
    not finite, have no area, are inverted or lie wholly outside the frame
    (one warning naming the frame and each reason's count).

    Args:
        bboxes (array-like): ``(N, 4)`` or ``(N, 5)``.
        bbox_format (str): ``'xyxy'`` or ``'xywh'``.
        image_shape (tuple): ``(H, W, ...)`` of the frame; boxes partly
            outside it are kept, as mmpose does.
        name (str): How the warning names the frame.

    Returns:
        tuple[np.ndarray, np.ndarray]: boxes ``(M, 4)`` and scores ``(M,)``.
    """
    if bbox_format not in ('xyxy', 'xywh'):
        raise ValueError(f"bbox_format must be 'xyxy' or 'xywh', got "
                         f'{bbox_format!r}')
    boxes = np.asarray(bboxes, dtype=np.float32)
    if boxes.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    if boxes.ndim == 1:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] not in (4, 5):
        raise ValueError(f'boxes of {name} have shape {boxes.shape}; give '
                         '(N, 4) boxes or (N, 5) boxes with scores')
    scores = (boxes[:, 4] if boxes.shape[1] == 5 else
              np.ones(len(boxes), np.float32))
    boxes = boxes[:, :4]
    if bbox_format == 'xywh':
        boxes = bbox_xywh2xyxy(boxes)
    h, w = image_shape[:2]
    problems = box_problems(boxes, image_shape, scores)
    dropped = sum(problems.values()).astype(bool)
    if dropped.any():
        reasons = [f'{int(problems[key].sum())} {why}' for key, why in (
            ('non_finite', 'not finite'),
            ('empty', 'without area or inverted (x2 <= x1 or y2 <= y1)'),
            ('outside', f'wholly outside the {w}x{h} frame'))
            if problems[key].any()]
        warnings.warn(f'{name}: dropped {int(dropped.sum())} of '
                      f'{len(boxes)} person boxes: {", ".join(reasons)}')
    return boxes[~dropped], scores[~dropped]


def check_video_model(model):
    """The model's clip length; a clear error for a single-frame model."""
    num_frames = getattr(getattr(model, 'neck', None), 'num_frames', None)
    if num_frames is None:
        raise TypeError(
            f'{type(model).__name__} is not a video pose model (it takes '
            'one frame); use mmpose.apis.inference_topdown(model, img, '
            'bboxes) for it')
    return num_frames


def clip_data_info(images, paths, key, box, score, dataset_meta):
    """The data info of one person in one clip, as the video test pipeline
    (``LoadVideoFrames`` ... ``PackPoseInputs``) takes it.

    Args:
        images (list[np.ndarray]): The clip's frames, BGR ``(H, W, 3)``.
        paths (list[str | None]): Their paths (None where unknown).
        key (int): Index of the key frame in the clip.
        box (np.ndarray): The person's ``(4, )`` xyxy box in the key frame.
        score (float): Its score.
        dataset_meta (dict): The model's ``dataset_meta``.

    Returns:
        dict: ``img`` (the frames), ``img_path`` (the key frame's),
        ``frame_paths``, ``bbox`` ``(1, 4)``, ``bbox_score`` ``(1, )`` and
        the dataset meta.
    """
    info = dict(img=list(images), img_path=paths[key],
                frame_paths=list(paths),
                bbox=np.asarray(box, np.float32).reshape(1, 4),
                bbox_score=np.asarray([score], np.float32).reshape(1))
    info.update(dataset_meta)
    return info


def clip_windows(frames, delta, online=False):
    """The clip of each frame of a stream, frame after frame, holding only
    one clip span of frames.

    Args:
        frames (iterable[tuple]): Per frame, in order, a tuple whose first
            item is the frame's index (0, 1, ...) and second its image.
        delta (int): Neighbours on each side.
        online (bool): Read no future frame: the clip of ``t`` is
            ``t-delta ... t`` with ``t`` repeated. Default: False.

    Yields:
        tuple: ``(key, window)``: the key frame's tuple and the ``2*delta +
        1`` tuples of its clip, clipped to the stream's first and last
        frame; a frame of another size than the key frame is replaced by
        the nearest one of its size.
    """
    buffer, last = {}, -1

    def window(key):
        clip = []
        for offset in range(-delta, delta + 1):
            index = min(max(key + offset, 0), last)
            while buffer[index][1].shape[:2] != buffer[key][1].shape[:2]:
                index += 1 if index < key else -1
            clip.append(buffer[index])
        return buffer[key], clip

    for entry in frames:
        last = entry[0]
        buffer[last] = entry
        key = last if online else last - delta
        if key >= 0:
            yield window(key)
        for old in [i for i in buffer if i < key + 1 - delta]:
            del buffer[old]
    if not online:
        for key in range(max(last - delta + 1, 0), last + 1):
            yield window(key)


def warn_undecoded(inputs, decoded, name='the video'):
    """One warning when a video's header promised more frames than
    ``decoded`` (a damaged or cut file); other inputs are not checked."""
    promised = len(inputs) if isinstance(inputs, mmcv.VideoReader) else 0
    if promised > decoded:
        warnings.warn(f'{name}: its header promises {promised} frames, '
                      f'{decoded} could be decoded; the rest were not '
                      'processed (a damaged or cut file?)')


def empty_pose_sample(img_path, shape, dataset_meta):
    """The data sample of a frame without people: ``pred_instances`` with
    ``(0, K, 2)`` keypoints, ``(0, K)`` scores, ``(0, 4)`` boxes, no box
    scores and no ``track_ids``."""
    from mmengine.structures import InstanceData
    from mmpose.structures import PoseDataSample
    k = dataset_meta['num_keypoints']
    sample = PoseDataSample(metainfo=dict(img_path=img_path,
                                          ori_shape=shape))
    sample.pred_instances = InstanceData(
        keypoints=np.zeros((0, k, 2), np.float32),
        keypoint_scores=np.zeros((0, k), np.float32),
        bboxes=np.zeros((0, 4), np.float32),
        bbox_scores=np.zeros(0, np.float32), track_ids=np.zeros(0, np.int64))
    return sample


def inference_video_topdown(model, frames, bboxes=None, bbox_format='xyxy'):
    """Estimate the poses in the key (centre) frame of a clip.

    Args:
        model (nn.Module): A video top-down model from
            ``mmpose.apis.init_model`` (e.g. TDMI).
        frames (list[str | os.PathLike | np.ndarray]): ``T = 2*delta + 1``
            frames in temporal order (file paths or arrays, see
            :func:`as_bgr_uint8` for the rules); the key frame is
            ``frames[T // 2]``. Repeat the first/last frame at a video's
            ends.
        bboxes (array-like, optional): ``(N, 4)`` person boxes in the key
            frame, or ``(N, 5)`` with the box score in column 5; None uses
            the whole frame; an empty array gives no result. Boxes that are
            not finite, have no area or are inverted are dropped with a
            warning.
        bbox_format (str): ``'xyxy'`` or ``'xywh'``.

    Returns:
        list[PoseDataSample]: One per valid box, keypoints in the key
        frame's image coordinates (``pred_instances.keypoints``), the box
        score in ``pred_instances.bbox_scores``.
    """
    expected = check_video_model(model)
    if isinstance(frames, (str, os.PathLike)):
        raise TypeError(f'frames must be a list of {expected} frames (paths '
                        f'or arrays), got the single path {frames!r}')
    frames = list(frames)  # generators and other iterables of frames
    if len(frames) != expected:
        raise ValueError(f'the model takes clips of {expected} frames, got '
                         f'{len(frames)}')
    key = len(frames) // 2
    key_name = (f'key frame {os.fspath(frames[key])}'
                if isinstance(frames[key], (str, os.PathLike)) else
                f'key frame (index {key} of the clip)')
    images = [as_bgr_uint8(f, key_name if i == key else f'frame {i}')
              for i, f in enumerate(frames)]
    h, w = images[key].shape[:2]
    if bboxes is None:
        bboxes = np.array([[0, 0, w, h]], dtype=np.float32)
        bbox_format = 'xyxy'
    boxes, scores = person_boxes(bboxes, bbox_format, (h, w), key_name)
    if len(boxes) == 0:
        return []
    init_default_scope(model.cfg.get('default_scope', 'mmpose'))
    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    paths = [os.fspath(f) if isinstance(f, (str, os.PathLike)) else None
             for f in frames]
    data = [pipeline(clip_data_info(images, paths, key, box, score,
                                    model.dataset_meta))
            for box, score in zip(boxes, scores)]
    with torch.no_grad():
        return model.test_step(pseudo_collate(data))
