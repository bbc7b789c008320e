"""Per-frame crops of a clip: training the way feature reuse infers."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.datasets.transforms import TopdownAffine
from mmpose.registry import TRANSFORMS
from mmpose.structures.bbox import get_udp_warp_matrix, get_warp_matrix


@TRANSFORMS.register_module()
class RandomNeighbourCrop(BaseTransform):
    """Give neighbour frames of a clip crops of their own, as feature reuse
    crops them at inference.

    The paper's protocol crops every frame of a clip with the key frame's
    box. ``VideoPoseInferencer(reuse_features=True)`` instead crops a
    neighbour with any box already used for that frame that lies within
    ``reuse_tolerance`` of the key frame's box (often the person's own box
    there), so a neighbour's crop may be shifted and scaled a little from
    the key frame's. This transform draws that: each neighbour frame, with
    probability ``prob``, gets a crop whose centre is shifted by up to
    ``shift_factor`` of the key frame's crop size along each axis and whose
    size is scaled by a factor from ``scale_factor``. The key frame's crop,
    its keypoints and targets are unchanged; rotation and flip stay shared.
    Place it after ``RandomBBoxTransform`` and use
    :class:`VideoTopdownAffine` to warp.

    Required keys: ``img`` (list of ``T`` frames, key in the centre),
    ``bbox_center`` ``(1, 2)``, ``bbox_scale`` ``(1, 2)``.
    Added keys: ``frame_bbox_center``, ``frame_bbox_scale``: ``(T, 2)``.

    Args:
        prob (float): Probability that a neighbour frame gets a crop of its
            own. Default: 0.8.
        shift_factor (float): Largest centre shift, as a fraction of the
            key frame's crop width and height. Default: 0.15 (reuse's
            tolerances 0.15-0.2 of the person's box are 0.12-0.16 of its
            crop, which is padded by 1.25).
        scale_factor (tuple[float, float]): Range of the size factor of
            such a crop. Default: (0.85, 1.15).
    """

    def __init__(self, prob=0.8, shift_factor=0.15,
                 scale_factor=(0.85, 1.15)):
        super().__init__()
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must lie in [0, 1], got {prob}')
        if shift_factor < 0 or not 0 < scale_factor[0] <= scale_factor[1]:
            raise ValueError('shift_factor must be >= 0 and scale_factor a '
                             f'range of positive factors, got {shift_factor}'
                             f', {scale_factor}')
        self.prob = prob
        self.shift_factor = shift_factor
        self.scale_factor = tuple(scale_factor)

    def transform(self, results):
        num_frames = len(results['img'])
        key = num_frames // 2
        center = np.repeat(results['bbox_center'][:1], num_frames,
                           0).astype(np.float32)
        scale = np.repeat(results['bbox_scale'][:1], num_frames,
                          0).astype(np.float32)
        for i in range(num_frames):
            if i == key or np.random.rand() >= self.prob:
                continue
            center[i] += (np.random.uniform(-1, 1, 2) * self.shift_factor *
                          scale[key])
            scale[i] *= np.random.uniform(*self.scale_factor)
        results['frame_bbox_center'] = center
        results['frame_bbox_scale'] = scale
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'shift_factor={self.shift_factor}, '
                f'scale_factor={self.scale_factor})')


@TRANSFORMS.register_module()
class VideoTopdownAffine(TopdownAffine):
    """mmpose's ``TopdownAffine`` for clips whose frames may have crops of
    their own (``frame_bbox_center``/``frame_bbox_scale``, ``(T, 2)``, from
    :class:`RandomNeighbourCrop`): each such frame is warped with its crop
    (and the shared rotation); keypoints, ``input_center`` and
    ``input_scale`` stay the key frame's. Without those keys it is
    ``TopdownAffine``.

    Args:
        input_size (tuple[int, int]): Model input ``(w, h)``.
        use_udp (bool): Unbiased data processing. Default: False.
    """

    def transform(self, results):
        centers = results.pop('frame_bbox_center', None)
        scales = results.pop('frame_bbox_scale', None)
        frames = results['img']
        results = super().transform(results)
        if centers is None:
            return results
        w, h = self.input_size
        rot = results['bbox_rotation'][0] if 'bbox_rotation' in results \
            else 0.
        scales = self._fix_aspect_ratio(scales, aspect_ratio=w / h)
        warp_matrix = get_udp_warp_matrix if self.use_udp else \
            get_warp_matrix
        for i, (center, scale) in enumerate(zip(centers, scales)):
            if np.allclose(center, results['input_center']) and np.allclose(
                    scale, results['input_scale']):
                continue  # the key frame's crop: already warped
            warp = warp_matrix(center, scale, rot, output_size=(w, h))
            results['img'][i] = cv2.warpAffine(frames[i], warp, (int(w),
                                                                 int(h)),
                                               flags=cv2.INTER_LINEAR)
        return results
