"""Safe checkpoint loading for OpenMMLab checkpoints under torch >= 2.6."""
import numpy as np
import torch


def _numpy_globals():
    core = np._core if hasattr(np, '_core') else np.core
    objs = [np.ndarray, np.dtype]
    # Checkpoints written under numpy 1.x name ``numpy.core``, under numpy
    # 2.x ``numpy._core``; allow both spellings.
    for func in ('_reconstruct', 'scalar'):
        obj = getattr(core.multiarray, func)
        objs += [(obj, f'numpy.core.multiarray.{func}'),
                 (obj, f'numpy._core.multiarray.{func}')]
    if hasattr(np, 'dtypes'):
        objs += [
            getattr(np.dtypes, name) for name in dir(np.dtypes)
            if name.endswith('DType')
        ]
    return objs


def _mmengine_globals():
    from mmengine.logging.history_buffer import HistoryBuffer
    return [HistoryBuffer]


def allow_openmmlab_checkpoints():
    """Allow the types OpenMMLab checkpoints carry in their meta for
    ``torch.load(..., weights_only=True)``.

    torch >= 2.6 loads with ``weights_only=True``; mmpose model-zoo files and
    mmengine's own checkpoints (the message hub of ``--resume``) hold numpy
    arrays, numpy scalars and mmengine ``HistoryBuffer`` objects, which the
    safe unpickler refuses. This adds exactly those types to torch's
    allow-list; safe loading stays on for everything else. Called when
    :mod:`tdmi_mmpose` is imported.
    """
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads them without a list
        add(_numpy_globals() + _mmengine_globals())
