"""Degrading a clip's key frame while its neighbours stay clean: the
student's input when TDMI learns from unlabelled video."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

KINDS = ('motion_blur', 'defocus', 'occlusion', 'low_light')


def _odd(n):
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def motion_blur(img, rng, length):
    """Average along a line of ``length`` pixels at a random angle."""
    size = _odd(length)
    kernel = np.zeros((size, size), np.float32)
    angle = rng.uniform(0, np.pi)
    c, dx, dy = size // 2, np.cos(angle), np.sin(angle)
    half = (size - 1) / 2
    cv2.line(kernel, (int(round(c - half * dx)), int(round(c - half * dy))),
             (int(round(c + half * dx)), int(round(c + half * dy))), 1.0, 1)
    return cv2.filter2D(img, -1, kernel / kernel.sum(),
                        borderType=cv2.BORDER_REFLECT)


def defocus(img, rng, radius):
    """Average over a disc of ``radius`` pixels (an out-of-focus lens)."""
    r = max(1, int(round(radius)))
    kernel = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
    cv2.circle(kernel, (r, r), r, 1.0, -1)
    return cv2.filter2D(img, -1, kernel / kernel.sum(),
                        borderType=cv2.BORDER_REFLECT)


def occlusion(img, rng, count, size):
    """``count`` patches of side ``size`` (a fraction of the crop's shorter
    side, drawn from a range) covering the crop: a flat colour with texture
    or a piece of the same crop moved elsewhere."""
    out = img.copy()
    h, w = img.shape[:2]
    for _ in range(count):
        ph = max(2, int(rng.uniform(*size) * min(h, w)))
        pw = max(2, int(ph * rng.uniform(0.5, 2.0)))
        pw = min(pw, w)
        y, x = rng.integers(0, h - ph + 1), rng.integers(0, w - pw + 1)
        if rng.random() < 0.5:
            sy, sx = rng.integers(0, h - ph + 1), rng.integers(0, w - pw + 1)
            patch = img[sy:sy + ph, sx:sx + pw].astype(np.float32)
        else:
            colour = rng.uniform(0, 255, 3).astype(np.float32)
            patch = colour + rng.normal(0, 12, (ph, pw, 3))
        if rng.random() < 0.5:  # elliptic patch
            mask = np.zeros((ph, pw), np.uint8)
            cv2.ellipse(mask, (pw // 2, ph // 2), (pw // 2, ph // 2), 0, 0,
                        360, 1, -1)
            region = out[y:y + ph, x:x + pw].astype(np.float32)
            patch = np.where(mask[..., None] > 0, patch, region)
        out[y:y + ph, x:x + pw] = np.clip(patch, 0, 255).astype(img.dtype)
    return out


def low_light(img, rng, gain, gamma, noise):
    """An under-exposed frame: intensities scaled by ``gain`` and bent by
    ``gamma``, then sensor noise of standard deviation ``noise`` (8-bit
    units) that does not scale with the light."""
    x = (img.astype(np.float32) / 255.0) ** gamma * gain * 255.0
    x += rng.normal(0, noise, x.shape)
    return np.clip(x, 0, 255).astype(img.dtype)


@TRANSFORMS.register_module()
class DegradeKeyFrame(BaseTransform):
    """Degrade the key frame of a clip, leaving its neighbours untouched, and
    keep the clean key frame for the teacher.

    Place it after ``TopdownAffine`` (it works on the crops
    ``results['img']``, a list of ``T`` frames in temporal order, key frame
    in the centre). With probability ``prob`` the key frame gets one to
    ``max_kinds`` distinct kinds of degradation, drawn with the weights of
    ``kinds``; each kind draws its strength from the ranges below (relative
    to the crop, so the same config serves 128x96 and 384x288 crops). With
    ``keep_clean`` the clean key frame is appended as an extra last frame,
    so ``PackPoseInputs`` gives ``(T + 1, 3, H, W)``:
    :class:`VideoTopdownAdapter` feeds frames ``0..T-1`` to the student and
    frame ``T`` to the teacher. ``results['degradations']`` lists the kinds
    applied.

    This is a generic augmentation, written independently of the built-in
    videos' generator (whose degraded frames it must not imitate).

    Args:
        prob (float): Probability that the key frame is degraded.
            Default: 0.8.
        kinds (dict[str, float]): Relative weights of ``'motion_blur'``,
            ``'defocus'``, ``'occlusion'`` and ``'low_light'``; a kind left
            out (or weight 0) is never drawn. Default: all 1.
        max_kinds (int): Most kinds on one frame. Default: 2.
        blur_length (tuple[float]): Motion blur length, fraction of the
            crop's diagonal. Default: (0.04, 0.15).
        defocus_radius (tuple[float]): Defocus radius, fraction of the
            crop's shorter side. Default: (0.015, 0.05).
        occluders (tuple[int]): Number of patches, inclusive range.
            Default: (1, 3).
        occluder_size (tuple[float]): Patch side, fraction of the crop's
            shorter side. Default: (0.15, 0.4).
        gain (tuple[float]): Low-light intensity gain. Default: (0.1, 0.4).
        gamma (tuple[float]): Low-light gamma. Default: (1.2, 2.0).
        noise (tuple[float]): Low-light noise std, 8-bit units.
            Default: (3.0, 12.0).
        keep_clean (bool): Append the clean key frame. Default: True.
        seed (int, optional): Seed of this transform's own generator (for
            tests); None draws from numpy's global state, which mmengine
            seeds per worker.
    """

    def __init__(self, prob=0.8, kinds=None, max_kinds=2,
                 blur_length=(0.04, 0.15), defocus_radius=(0.015, 0.05),
                 occluders=(1, 3), occluder_size=(0.15, 0.4),
                 gain=(0.1, 0.4), gamma=(1.2, 2.0), noise=(3.0, 12.0),
                 keep_clean=True, seed=None):
        kinds = dict.fromkeys(KINDS, 1.0) if kinds is None else dict(kinds)
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f'DegradeKeyFrame: unknown kinds '
                             f'{sorted(unknown)}; choose from {list(KINDS)}')
        if not 0 <= prob <= 1:
            raise ValueError(f'DegradeKeyFrame: prob must be in [0, 1], got '
                             f'{prob}')
        if any(v < 0 for v in kinds.values()) or (
                prob > 0 and not any(kinds.values())):
            raise ValueError('DegradeKeyFrame: kinds need non-negative '
                             f'weights, one of them positive; got {kinds}')
        if max_kinds < 1:
            raise ValueError(f'DegradeKeyFrame: max_kinds must be >= 1, got '
                             f'{max_kinds}')
        for name, (lo, hi) in dict(
                blur_length=blur_length, defocus_radius=defocus_radius,
                occluders=occluders, occluder_size=occluder_size, gain=gain,
                gamma=gamma, noise=noise).items():
            if not 0 <= lo <= hi:
                raise ValueError(f'DegradeKeyFrame: {name} must be a range '
                                 f'(low, high) with 0 <= low <= high, got '
                                 f'({lo}, {hi})')
        self.prob = prob
        self.kinds = kinds
        self.max_kinds = max_kinds
        self.blur_length = blur_length
        self.defocus_radius = defocus_radius
        self.occluders = occluders
        self.occluder_size = occluder_size
        self.gain, self.gamma, self.noise = gain, gamma, noise
        self.keep_clean = keep_clean
        self.rng = None if seed is None else np.random.default_rng(seed)

    def _rng(self):
        if self.rng is not None:
            return self.rng
        return np.random.default_rng(np.random.randint(2**31))

    def degrade(self, img, kinds, rng):
        """``img`` ``(H, W, 3)`` with ``kinds`` applied in the order given."""
        h, w = img.shape[:2]
        for kind in kinds:
            if kind == 'motion_blur':
                img = motion_blur(img, rng, rng.uniform(*self.blur_length) *
                                  np.hypot(h, w))
            elif kind == 'defocus':
                img = defocus(img, rng, rng.uniform(*self.defocus_radius) *
                              min(h, w))
            elif kind == 'occlusion':
                img = occlusion(img, rng, int(rng.integers(
                    self.occluders[0], self.occluders[1] + 1)),
                    self.occluder_size)
            else:
                img = low_light(img, rng, rng.uniform(*self.gain),
                                rng.uniform(*self.gamma),
                                rng.uniform(*self.noise))
        return img

    def transform(self, results):
        frames = results['img']
        if not isinstance(frames, list) or len(frames) % 2 == 0:
            raise ValueError(
                'DegradeKeyFrame needs a clip: results["img"] as a list of an '
                'odd number of frames (LoadVideoFrames, then TopdownAffine); '
                f'got {type(frames).__name__}'
                + (f' of {len(frames)}' if isinstance(frames, list) else ''))
        frames = list(frames)
        key = len(frames) // 2
        clean = frames[key]
        rng = self._rng()
        applied = []
        if rng.random() < self.prob:
            names = [k for k, v in self.kinds.items() if v > 0]
            weights = np.array([self.kinds[k] for k in names], np.float64)
            count = int(rng.integers(1, min(self.max_kinds, len(names)) + 1))
            applied = list(rng.choice(names, count, replace=False,
                                      p=weights / weights.sum()))
            frames[key] = self.degrade(clean, applied, rng)
        if self.keep_clean:
            frames.append(clean)
        results['img'] = frames
        results['degradations'] = [str(k) for k in applied]
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'kinds={self.kinds}, max_kinds={self.max_kinds}, '
                f'keep_clean={self.keep_clean})')
