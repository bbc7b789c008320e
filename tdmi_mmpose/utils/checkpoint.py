"""Safe checkpoint loading for OpenMMLab checkpoints under torch >= 2.6."""
import pickle

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


def _history_buffer_getattr(obj, name):
    """Stands in for ``getattr`` while unpickling: mmengine's
    ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; nothing else is allowed."""
    from mmengine.logging.history_buffer import HistoryBuffer
    allowed = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics methods are allowed under safe loading')


def _mmengine_globals():
    from mmengine.logging.history_buffer import HistoryBuffer
    return [HistoryBuffer] + [(_history_buffer_getattr, f'{mod}.getattr')
                              for mod in ('builtins', '__builtin__')]


def allow_openmmlab_checkpoints():
    """Allow the types OpenMMLab checkpoints carry in their meta for
    ``torch.load(..., weights_only=True)``.

    torch >= 2.6 loads with ``weights_only=True``; mmpose model-zoo files and
    mmengine's own checkpoints (the message hub of ``--resume``) hold numpy
    arrays, numpy scalars and mmengine ``HistoryBuffer`` objects, which the
    safe unpickler refuses. This adds exactly those types to torch's
    allow-list, with ``getattr`` restricted to what ``HistoryBuffer``
    pickles; safe loading stays on for everything else. Called when
    :mod:`tdmi_mmpose` is imported.
    """
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads them without a list
        add(_numpy_globals() + _mmengine_globals())
