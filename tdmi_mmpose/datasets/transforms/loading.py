"""Loading all frames of a video sample."""
import logging
import os.path as osp

from mmengine.logging import print_log
from mmpose.datasets.transforms import LoadImage
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadVideoFrames(LoadImage):
    """Load the frames ``results['frame_paths']`` (temporal order, key frame
    in the centre) into ``results['img']``, a list of ``(H, W, 3)`` arrays.

    Each distinct file is decoded once (neighbours clipped at a video's ends
    repeat a path). ``img_shape``/``ori_shape`` are the key frame's. The
    mmpose transforms that follow (``RandomFlip``, ``RandomHalfBody``,
    ``RandomBBoxTransform``, ``TopdownAffine``) draw their parameters once
    per sample and apply them to every frame; ``PackPoseInputs`` stacks the
    frames to ``(T, 3, H, W)``. Frames already in ``results['img']`` (a list
    of arrays, e.g. decoded from a video for inference) are kept.

    Args:
        missing_frame (str): What a missing or unreadable neighbour does:
            ``'error'`` (default) raises an error naming the file and the key
            frame; ``'nearest'`` replaces it by the nearest readable frame of
            the clip (the key frame itself, at worst). A missing key frame
            always raises.
        **kwargs: Arguments of :class:`LoadImage` (``to_float32``,
            ``color_type``, ``imdecode_backend``, ``backend_args``).
    """

    def __init__(self, missing_frame='error', **kwargs):
        super().__init__(**kwargs)
        if missing_frame not in ('error', 'nearest'):
            raise ValueError("missing_frame must be 'error' or 'nearest', "
                             f'got {missing_frame!r}')
        self.missing_frame = missing_frame
        self._replaced = 0
        self._warned_videos = set()

    def _read(self, path):
        """Decoded frame, or the error that prevented it."""
        try:
            return self._load_one(path)
        except Exception as err:  # noqa: BLE001 (reported with context)
            return err

    def _load_one(self, path):
        img = super().transform(dict(img_path=path))['img']
        if img is None:
            raise OSError(f'could not decode {path}')
        return img

    def transform(self, results):
        if isinstance(results.get('img'), list):
            frames = results['img']
        elif not results.get('frame_paths'):
            raise KeyError(
                'LoadVideoFrames needs a clip (frame_paths, or a list of '
                f'frames in img) but got one image ({results.get("img_path")}'
                "). mmpose's inference_topdown and MMPoseInferencer feed a "
                'video model one frame at a time: use tdmi_mmpose.apis.'
                'MMPoseInferencer (the same class, video models included) '
                "or VideoPoseInferencer (mmpose INFERENCERS 'tdmi'; "
                'demo/video_demo.py) for videos, or tdmi_mmpose.apis.'
                'inference_video_topdown(model, frames, bboxes) for one clip')
        else:
            paths = results['frame_paths']
            decoded = {p: self._read(p) for p in dict.fromkeys(paths)}
            frames = [decoded[p] for p in paths]
            frames = self._fill_missing(frames, paths, results['img_path'])
        key_index = len(frames) // 2
        key = frames[key_index]
        paths = results.get('frame_paths') or [None] * len(frames)

        def name(i):
            return (f'{paths[i]} (index {i} of the clip)' if paths[i] else
                    f'index {i} of the clip')
        for i, frame in enumerate(frames):
            if frame.shape[:2] != key.shape[:2]:
                raise ValueError(
                    f'frame {name(i)} has size {frame.shape[:2]}, the key '
                    f'frame {name(key_index)} has {key.shape[:2]}; all '
                    'frames of a clip must have one size')
        results['img'] = frames
        results['img_shape'] = key.shape[:2]
        results['ori_shape'] = key.shape[:2]
        return results

    def _fill_missing(self, frames, paths, key_path):
        key = len(frames) // 2
        if isinstance(frames[key], Exception):
            raise FileNotFoundError(
                f'key frame {paths[key]} could not be read: {frames[key]}')
        missing = [i for i, f in enumerate(frames) if isinstance(f, Exception)]
        if missing and self.missing_frame == 'error':
            i = missing[0]
            raise FileNotFoundError(
                f'frame {paths[i]} (offset {i - key:+d} of key frame '
                f'{key_path}) could not be read: {frames[i]}. Check the '
                "frames of that video, or set LoadVideoFrames(missing_frame="
                "'nearest') to use the nearest readable frame instead")
        readable = [i for i, f in enumerate(frames)
                    if not isinstance(f, Exception)]
        first_missing = paths[missing[0]] if missing else None
        for i in missing:
            # nearest readable frame; on a tie, the one closer to the key
            nearest = min(readable, key=lambda j: (abs(j - i), abs(j - key)))
            frames[i] = frames[nearest]
            paths[i] = paths[nearest]
        self._replaced += len(missing)
        video = osp.dirname(key_path)
        if missing and video not in self._warned_videos:
            self._warned_videos.add(video)
            print_log(
                f'LoadVideoFrames: frames of video {video} are missing (first '
                f'seen: {first_missing}); '
                "missing_frame='nearest' replaces them by the nearest "
                f'readable frame ({self._replaced} frames replaced so far; '
                'one warning per video)', logger='current',
                level=logging.WARNING)
        return frames

    def __repr__(self):
        return (f'{self.__class__.__name__}(missing_frame='
                f'{self.missing_frame!r}, to_float32={self.to_float32}, '
                f"color_type='{self.color_type}')")
