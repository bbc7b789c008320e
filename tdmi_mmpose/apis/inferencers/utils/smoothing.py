"""Online smoothing of each track's keypoints, with the filters mmpose 0.x
offered (One-Euro, Savitzky-Golay, Gaussian; not migrated to mmpose 1.x):
a track's keypoints in frame ``t`` are smoothed from its keypoints up to
``t`` only, so the smoother adds no delay."""
import math
from collections import deque

import numpy as np


def _check(kind, **params):
    """Refuse parameters that are not finite numbers above a bound:
    ``name=(value, bound, bound_allowed)``."""
    for name, (value, bound, inclusive) in params.items():
        ok = isinstance(value, (int, float)) and not isinstance(
            value, bool) and math.isfinite(value) and (
                value >= bound if inclusive else value > bound)
        if not ok:
            raise ValueError(f'{kind}: {name} must be a number '
                             f'{">=" if inclusive else ">"} {bound}, got '
                             f'{value!r}')


class OneEuroFilter:
    """The One-Euro filter (Casiez et al., CHI 2012): an exponential
    smoothing whose cutoff frequency rises with the speed, so that slow
    motion is smoothed and fast motion followed.

    Args:
        min_cutoff (float): Cutoff frequency (Hz) at rest. Default: 1.0.
        beta (float): How fast the cutoff rises with the speed (per
            pixel/s). Default: 0.05.
        d_cutoff (float): Cutoff of the speed's own smoothing. Default: 1.0.
        fps (float): Frames per second. Default: 25.
    """

    def __init__(self, min_cutoff=1.0, beta=0.05, d_cutoff=1.0, fps=25.0):
        _check('one_euro', fps=(fps, 0, False), min_cutoff=(min_cutoff, 0,
               False), d_cutoff=(d_cutoff, 0, False), beta=(beta, 0, True))
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.dt = 1.0 / fps
        self.x = self.dx = None

    def _alpha(self, cutoff):
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / self.dt)

    def __call__(self, x):
        """``x`` ``(K, 2)`` -> smoothed ``(K, 2)``."""
        x = np.asarray(x, np.float64)
        if self.x is None:
            self.x, self.dx = x, np.zeros_like(x)
            return x
        dx = (x - self.x) / self.dt
        a_d = self._alpha(self.d_cutoff)
        self.dx = a_d * dx + (1 - a_d) * self.dx
        cutoff = self.min_cutoff + self.beta * np.abs(self.dx)
        a = self._alpha(cutoff)
        self.x = a * x + (1 - a) * self.x
        return self.x


class WindowFilter:
    """A filter over the last ``window`` keypoints of a track, the current
    frame's value taken from the filtered window's end.

    Args:
        kind (str): ``'savgol'`` (Savitzky-Golay, polynomial ``order``) or
            ``'gaussian'`` (standard deviation ``sigma`` frames).
        window (int): Frames in the window (odd). Default: 11.
        order (int): Savitzky-Golay polynomial order. Default: 2.
        sigma (float): Gaussian standard deviation. Default: 2.0.
    """

    def __init__(self, kind='savgol', window=11, order=2, sigma=2.0):
        if kind not in ('savgol', 'gaussian'):
            raise ValueError(f"kind must be 'savgol' or 'gaussian', got "
                             f'{kind!r}')
        if kind == 'savgol':
            _check(kind, window=(window, 1, False), order=(order, 0, True))
            if int(window) != window or int(order) != order:
                raise ValueError(f'savgol: window and order are whole '
                                 f'numbers, got {window} and {order}')
            if order >= window:
                raise ValueError(f'savgol: order {order} must be below the '
                                 f'window ({window} frames), or nothing is '
                                 'smoothed')
        else:
            _check(kind, window=(window, 0, False), sigma=(sigma, 0, False))
        self.kind, self.order, self.sigma = kind, order, sigma
        self.buffer = deque(maxlen=window)

    def __call__(self, x):
        self.buffer.append(np.asarray(x, np.float64))
        seq = np.stack(self.buffer)  # (T, K, 2)
        if self.kind == 'savgol':
            if len(seq) <= self.order + 1:
                return seq[-1]
            from scipy.signal import savgol_filter
            window = len(seq) if len(seq) % 2 else len(seq) - 1
            return savgol_filter(seq[-window:], window, self.order,
                                 axis=0, mode='interp')[-1]
        # the causal half of a Gaussian: weights of the past frames
        t = np.arange(len(seq))[::-1]
        w = np.exp(-0.5 * (t / self.sigma)**2)
        return np.tensordot(w / w.sum(), seq, axes=1)


FILTERS = {
    'one_euro': OneEuroFilter,
    'savgol': lambda **kw: WindowFilter('savgol', **kw),
    'gaussian': lambda **kw: WindowFilter('gaussian', **kw),
}


class TrackSmoother:
    """One filter per track id, fed the track's keypoints frame by frame;
    a track unseen for ``forget`` frames starts anew; people without a
    track (id -1) are left as they are.

    Args:
        kind (str): ``'one_euro'``, ``'savgol'`` or ``'gaussian'``.
        forget (int): Frames after which an unseen track is dropped.
            Default: 5.
        **kwargs: The filter's arguments.
    """

    def __init__(self, kind, forget=5, **kwargs):
        if kind not in FILTERS:
            raise ValueError(f'smoother {kind!r}: choose one of '
                             f'{sorted(FILTERS)}')
        _check(kind, forget=(forget, 0, True))
        try:
            FILTERS[kind](**kwargs)  # bad parameters fail here, not mid-run
        except TypeError as err:
            raise ValueError(f'smoother {kind}: {err}') from None
        self.kind, self.kwargs, self.forget = kind, kwargs, forget
        self.filters, self.seen, self.frame = {}, {}, 0

    @classmethod
    def build(cls, cfg):
        """A smoother of :func:`smoother_config`'s ``cfg`` (a dict with
        ``type``), or None for None."""
        if cfg is None:
            return None
        cfg = dict(cfg)
        return cls(cfg.pop('type'), **cfg)

    def __call__(self, keypoints, track_ids):
        """``(N, K, 2)`` keypoints of one frame's people and their ``(N,)``
        track ids -> the smoothed keypoints."""
        self.frame += 1
        for tid in [t for t, f in self.seen.items()
                    if self.frame - f > self.forget]:
            del self.filters[tid], self.seen[tid]
        out = np.array(keypoints, np.float64, copy=True)
        for i, tid in enumerate(np.asarray(track_ids).tolist()):
            if tid < 0:
                continue
            if tid not in self.filters:
                self.filters[tid] = FILTERS[self.kind](**self.kwargs)
            out[i] = self.filters[tid](out[i])
            self.seen[tid] = self.frame
        return out.astype(np.asarray(keypoints).dtype)


def smoother_config(spec):
    """A smoother config from ``'kind'`` or ``'kind:name=value,...'`` (the
    command line's form, e.g. ``'savgol:window=7,order=2'``), or a dict
    with ``type`` as it is; None stays None."""
    if spec is None or isinstance(spec, dict):
        return spec
    kind, _, args = str(spec).partition(':')
    cfg = dict(type=kind.strip())
    for item in filter(None, (a.strip() for a in args.split(','))):
        name, eq, value = item.partition('=')
        try:
            number = float(value)
        except ValueError:
            number = None
        if not eq or number is None:
            raise ValueError(f'smoother {spec!r}: write parameters as '
                             f'name=number, e.g. {kind}:window=7 (got '
                             f'{item!r})')
        cfg[name.strip()] = int(number) if number.is_integer() and \
            name.strip() in ('window', 'order', 'forget') else number
    return cfg
