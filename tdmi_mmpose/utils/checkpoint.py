"""Safe loading of OpenMMLab checkpoints under torch >= 2.6.

torch loads checkpoints with ``weights_only=True``, whose unpickler refuses
the numpy objects that OpenMMLab checkpoints carry in their meta (mmpose's
model zoo, mmengine's message hub). Allowing numpy's ``dtype``, ``ndarray``
and ``_reconstruct`` as they are would let a crafted checkpoint build an
object array from raw bytes, i.e. turn file contents into pointers. Here
they are allowed only through checks, and only while a checkpoint is being
loaded (:func:`load_checkpoint_safely`, which mmengine's ``load_from``,
``--resume``, ``init_model`` and ``Pretrained`` initialisation use once
:mod:`tdmi_mmpose` is imported):

* dtypes are built by :func:`_safe_dtype`, which refuses object and
  structured (void) dtypes; only plain numeric, boolean, string and
  datetime dtype classes may receive state;
* arrays are built as :class:`_CheckedArray`, whose ``__setstate__`` refuses
  an object dtype before numpy reads the raw bytes; they are returned as
  plain ``ndarray`` views;
* numpy scalars are built by :func:`_safe_scalar` with the same check;
* ``getattr`` is restricted to mmengine ``HistoryBuffer``'s statistics
  methods.

Everything else stays refused by torch's safe unpickler.
"""
import os.path as osp
import pickle
import re
import zipfile

import numpy as np
import torch

_UNSAFE_DTYPE_CLASSES = ('VoidDType', 'ObjectDType')


class CheckpointError(RuntimeError):
    """A checkpoint file that safe loading refuses or cannot read (the
    message names the file and what to do)."""


def _refuse_objects(dtype):
    if dtype.hasobject or dtype.fields is not None:
        raise pickle.UnpicklingError(
            f'checkpoint holds an array or scalar of dtype {dtype!r}; object '
            'and structured dtypes are refused under safe loading (they '
            'would read raw bytes as Python object pointers)')
    return dtype


def _safe_dtype(*args, **kwargs):
    """``numpy.dtype`` for unpickling: object and structured dtypes are
    refused."""
    return _refuse_objects(np.dtype(*args, **kwargs))


class _CheckedArray(np.ndarray):
    """ndarray built while unpickling; refuses object dtypes before the raw
    bytes are read."""

    def __setstate__(self, state):
        _refuse_objects(np.dtype(state[2]))
        super().__setstate__(state)


def _safe_reconstruct(cls, shape, dtype):
    if cls is not np.ndarray:
        raise pickle.UnpicklingError(
            f'checkpoint asks numpy to reconstruct {cls!r}; only plain '
            'ndarrays are allowed under safe loading')
    return np.ndarray.__new__(_CheckedArray, shape, _safe_dtype(dtype))


def _safe_scalar(dtype, *args):
    core = np._core if hasattr(np, '_core') else np.core
    return core.multiarray.scalar(_refuse_objects(dtype), *args)


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


def safe_globals():
    """What OpenMMLab checkpoints may name, as ``(object, pickled name)``
    pairs for :func:`torch.serialization.safe_globals`."""
    from mmengine.logging.history_buffer import HistoryBuffer
    objs = [np.ndarray, _CheckedArray, HistoryBuffer]
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        objs += [(_safe_reconstruct, f'{mod}._reconstruct'),
                 (_safe_scalar, f'{mod}.scalar')]
    objs.append((_safe_dtype, 'numpy.dtype'))
    if hasattr(np, 'dtypes'):
        objs += [getattr(np.dtypes, name) for name in dir(np.dtypes)
                 if name.endswith('DType')
                 and name not in _UNSAFE_DTYPE_CLASSES]
    objs += [(_history_buffer_getattr, f'{mod}.getattr')
             for mod in ('builtins', '__builtin__')]
    return objs


def _plain_arrays(obj):
    """Replace :class:`_CheckedArray` by plain ndarray views, recursively
    through dicts, lists and tuples."""
    if isinstance(obj, _CheckedArray):
        return obj.view(np.ndarray)
    if isinstance(obj, dict):
        for key, value in obj.items():
            obj[key] = _plain_arrays(value)
    elif isinstance(obj, list):
        obj[:] = [_plain_arrays(v) for v in obj]
    elif isinstance(obj, tuple) and not hasattr(obj, '_fields'):
        obj = tuple(_plain_arrays(v) for v in obj)
    elif hasattr(obj, '__dict__') and not isinstance(obj, torch.Tensor):
        for key, value in vars(obj).items():
            setattr(obj, key, _plain_arrays(value))
    return obj


def load_checkpoint_safely(filename, map_location=None):
    """``torch.load(filename, weights_only=True)`` with OpenMMLab's numpy
    and mmengine objects allowed through checks, and errors that name the
    file.

    Args:
        filename (str): Local checkpoint path.
        map_location: As in :func:`torch.load`.

    Returns:
        dict: The checkpoint.

    Raises:
        FileNotFoundError: if the file does not exist.
        RuntimeError: if it is not a readable PyTorch checkpoint (empty,
            truncated, text, ...) or holds objects refused by safe loading;
            the message names the file and what to do.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    if osp.getsize(filename) == 0:
        raise CheckpointError(f'checkpoint {filename} is empty (0 bytes): it '
                           'was not written completely; use another one')
    with open(filename, 'rb') as f:
        head = f.read(4)
    legacy = head[:1] == b'\x80'  # pickle protocol 2+ (torch < 1.6)
    is_zip = zipfile.is_zipfile(filename)
    if head == b'PK\x03\x04' and not is_zip:
        raise CheckpointError(
            f'checkpoint {filename} looks truncated: it starts as torch\'s '
            'zip format but its end is missing (an interrupted download or '
            f'copy; {osp.getsize(filename)} bytes): download or copy it '
            'again')
    if not (is_zip or legacy):
        raise CheckpointError(f'{filename} is not a readable PyTorch checkpoint '
                           '(neither torch\'s zip format nor a pickle); it '
                           'may be another kind of file')
    try:
        with torch.serialization.safe_globals(safe_globals()):
            checkpoint = torch.load(filename, map_location=map_location,
                                    weights_only=True)
    except pickle.UnpicklingError as err:
        # torch's text around the reason suggests weights_only=False: keep
        # only the reason
        reason = str(err).split('WeightsUnpickler error:')[-1]
        reason = reason.split('Check the documentation')[0]
        globals_ = re.search(r'(unsupported )?GLOBAL [\w.]+', reason,
                             re.IGNORECASE)
        reason = (f'it asks to load {globals_.group(0).split()[-1]}'
                  if globals_ else ' '.join(reason.split()).rstrip('.'))
        raise CheckpointError(
            f'checkpoint {filename} was refused by safe loading: {reason}. '
            'It holds objects that OpenMMLab checkpoints do not; load only '
            'checkpoints you trust') from None
    except Exception as err:  # noqa: BLE001 (re-raised with the file name)
        raise CheckpointError(
            f'{filename} is not a readable PyTorch checkpoint '
            f'({type(err).__name__}: {err}); it may be truncated or another '
            'kind of file') from None
    return _plain_arrays(checkpoint)


def load_from_safe_local(filename, map_location=None):
    """mmengine checkpoint loader for local paths."""
    return load_checkpoint_safely(filename, map_location)


def load_from_safe_http(filename, map_location=None):
    """mmengine checkpoint loader for ``http(s)://`` addresses: downloaded
    once (by rank 0) into the cache mmengine uses
    (:func:`tdmi_mmpose.utils.model_zoo.download`: nothing half-written is
    kept, a failure names the address and what came back), then loaded
    safely."""
    from mmengine.dist import barrier, get_dist_info

    from .model_zoo import cached_path, download
    rank, world_size = get_dist_info()
    loaded = []
    if rank == 0:
        # a file safe loading refuses never takes the cached name, where
        # other loaders (mmengine's own, torch.hub) would trust it
        download(filename, verify=lambda path: loaded.append(
            load_checkpoint_safely(path, map_location)))
    if world_size > 1:
        barrier()
    if loaded:
        return loaded[0]
    cached = cached_path(filename)
    try:
        return load_checkpoint_safely(cached, map_location)
    except CheckpointError as err:
        raise CheckpointError(
            f'{err} (the cached download of {filename}: delete {cached} to '
            'download it again)') from None


def use_safe_checkpoint_loading():
    """Make mmengine load local and ``http(s)`` checkpoints with
    :func:`load_checkpoint_safely` (``load_from``, ``--resume``,
    ``mmpose.apis.init_model``, ``Pretrained`` initialisation). Called when
    :mod:`tdmi_mmpose` is imported; torch's process-wide allow-list is left
    as it is."""
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_from_safe_local)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), force=True)(load_from_safe_http)
