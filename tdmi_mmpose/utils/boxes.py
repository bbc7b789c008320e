"""Checks of person boxes shared by the datasets (detection files) and the
inference APIs (boxes given or detected)."""
import numpy as np


def is_number(value):
    """Whether ``value`` read from JSON is a number (not a string, bool or
    null); NaN and infinities count as numbers."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def box_problems(boxes, image_shape, scores=None):
    """Why each ``(x1, y1, x2, y2)`` box is unusable, as three exclusive
    masks, in this order of precedence:

    - ``non_finite``: a coordinate (or its score) is NaN or infinite;
    - ``empty``: no area or inverted (``x2 <= x1`` or ``y2 <= y1``);
    - ``outside``: wholly outside its image (partly outside is usable).

    Args:
        boxes (array): ``(N, 4)`` xyxy.
        image_shape (array-like): ``(H, W, ...)`` of one image for every
            box, or ``(N, 2)``: each box's image ``(H, W)``.
        scores (array, optional): ``(N,)`` box scores, checked for
            finiteness.

    Returns:
        dict[str, np.ndarray]: ``(N,)`` bool masks ``non_finite``,
        ``empty``, ``outside``.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    shape = np.asarray(image_shape, dtype=np.float64)
    h, w = (shape[:, 0], shape[:, 1]) if shape.ndim == 2 else shape[:2]
    with np.errstate(invalid='ignore'):
        finite = np.isfinite(boxes).all(1)
        if scores is not None:
            finite &= np.isfinite(np.asarray(scores, dtype=np.float64))
        empty = finite & ~((boxes[:, 2] > boxes[:, 0])
                           & (boxes[:, 3] > boxes[:, 1]))
        outside = finite & ~empty & (
            (boxes[:, 2] <= 0) | (boxes[:, 3] <= 0) | (boxes[:, 0] >= w) |
            (boxes[:, 1] >= h))
    return dict(non_finite=~finite, empty=empty, outside=outside)
