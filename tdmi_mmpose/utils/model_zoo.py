"""Weights and models by address or name, as mmpose takes them.

* An ``http(s)://`` address is downloaded once into the cache mmengine
  uses (``$TORCH_HOME/hub/checkpoints``, named by the address's file name)
  by :func:`download`: through a temporary file that becomes the cached one
  only when it is complete and a PyTorch checkpoint, so a refused address,
  an error page or a cut download leaves nothing in the cache. Where the
  file name carries the model zoo's hash (``...-5fd6d3ff_20211130.pth``,
  the first hex digits of the file's SHA-256), the content is checked
  against it, downloaded or cached (:func:`check_name_hash`).
* A model name or alias is looked up in the metafiles of this package,
  mmpose and mmdet (``model-index.yml``, as ``mim search`` reads them) by
  :func:`find_model`; a misspelt one is an error listing the closest names.
* :func:`resolve_weights` turns any of the three (or a local file) into
  what mmengine's checkpoint loader takes.
"""
import difflib
import functools
import hashlib
import os
import os.path as osp
import re
import sys
import time
import urllib.error
import urllib.request
import zipfile
from urllib.parse import urlparse

# what is in a metafile's Results.Task of a detector of mmdet
DETECTION_TASKS = ('Object Detection', 'Instance Segmentation',
                   'Panoptic Segmentation')
SCOPES = ('tdmi_mmpose', 'mmpose', 'mmdet')
# the model zoo's names: ``<name>-<sha256 prefix>[_<date>].pth`` (OpenMMLab,
# torch.hub); the prefix is at least 8 hex digits
NAME_HASH = re.compile(r'-([0-9a-f]{8,64})(?:_[0-9]{8})?\.pth?$')


class DownloadError(RuntimeError):
    """An address gave no checkpoint (the message names the address, what
    came back and how to give a local file instead)."""


class ModelNameError(ValueError):
    """A model name that no metafile has, or one of the wrong kind."""


def is_address(spec):
    """Whether ``spec`` is an ``http(s)://`` address."""
    return isinstance(spec, str) and spec.startswith(('http://',
                                                      'https://'))


def cache_dir():
    """The folder mmengine (through torch.hub) caches downloaded
    checkpoints in: ``$TORCH_HOME/hub/checkpoints``."""
    import torch
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def cached_path(url):
    """Where :func:`download` keeps ``url``: the cache folder and the
    address's file name, as mmengine and torch.hub name it."""
    return osp.join(cache_dir(), osp.basename(urlparse(url).path))


def name_hash(name):
    """The SHA-256 prefix a model zoo file name carries
    (``hrnet_w48_posetrack18_384x288-5fd6d3ff_20211130.pth`` ->
    ``'5fd6d3ff'``), or ``None`` for a name without one."""
    found = NAME_HASH.search(osp.basename(urlparse(name).path))
    return found.group(1) if found else None


def hash_check_enabled():
    """``$TDMI_HASH_CHECK`` (default on); ``0`` turns the check off, for a
    mirror that serves re-saved weights under the original names."""
    return os.environ.get('TDMI_HASH_CHECK', '1').lower() not in (
        '0', 'off', 'false', 'no')


@functools.lru_cache(maxsize=None)
def _sha256(path, size, mtime):  # noqa: ARG001 (size, mtime: the cache key)
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 22), b''):
            digest.update(block)
    return digest.hexdigest()


def check_name_hash(path, name):
    """Check ``path`` against the hash in ``name`` (its address or file
    name).

    Args:
        path (str): The file to check.
        name (str): The address or file name that may carry a hash.

    Returns:
        bool: True when checked, False when ``name`` carries no hash or the
        check is turned off (``TDMI_HASH_CHECK=0``).

    Raises:
        ValueError: the content does not match; the message gives both
            hashes.
    """
    want = name_hash(name)
    if want is None or not hash_check_enabled():
        return False
    stat = os.stat(path)
    got = _sha256(osp.abspath(path), stat.st_size, stat.st_mtime_ns)
    if not got.startswith(want):
        raise ValueError(
            f'its content does not match the hash in its name (SHA-256 '
            f'{got[:len(want)]}..., the name says {want}...): a damaged or '
            'altered file (TDMI_HASH_CHECK=0 accepts a mirror\'s re-saved '
            'weights)')
    return True


def _checkpoint_kind(head):
    """``None`` when the first bytes ``head`` start a PyTorch checkpoint
    (torch's zip format or a pickle), else what they look like."""
    if head[:4] == b'PK\x03\x04' or head[:1] == b'\x80':
        return None
    text = head.lstrip()[:15].lower()
    if text.startswith((b'<!doctype html', b'<html', b'<?xml', b'<')):
        return 'an HTML/XML page'
    return f'{len(head)}+ bytes starting {head[:12]!r}'


def download(url, progress=True, timeout=60, verify=None, deadline=None):
    """Download ``url`` into the cache once and return the cached file.

    The file takes its cached name (the one mmengine and torch.hub look
    for) only once it is complete and ``verify`` accepted it, so that no
    other loader ever finds a file this one refused.

    Args:
        url (str): An ``http(s)://`` address of a PyTorch checkpoint.
        progress (bool): Print the progress on stderr. Default: True.
        timeout (float): Seconds to wait for the server. Default: 60.
        verify (callable, optional): Called with the downloaded file's
            path before it is cached; an exception refuses the file.
        deadline (float, optional): Seconds the whole download may take
            (``timeout`` bounds each wait for data, not a server that
            trickles). Default: ``$TDMI_DOWNLOAD_DEADLINE``, else 3600.

    Returns:
        str: The cached file (nothing is fetched when it already exists).

    Raises:
        DownloadError: the address is refused or unreachable, answers with
            an HTTP error or a page instead of a checkpoint, or the download
            stops short of its announced size; nothing is left in the
            cache.
    """
    cached = cached_path(url)
    source = cached + '.source'  # the address the cached file came from
    if osp.isfile(cached):
        if osp.isfile(source):
            with open(source) as f:
                came_from = f.read().strip()
            # another path with the same file name (a mirror of the same
            # path on another host is taken as the same file)
            if came_from and urlparse(came_from).path != urlparse(url).path:
                raise DownloadError(
                    f'{url}: the download cache holds {cached} from another '
                    f'address with the same file name ({came_from}); give '
                    'this file locally instead of its address, or delete '
                    f'{cached} to download it from {url}')
        try:
            check_name_hash(cached, url)
        except ValueError as err:
            raise DownloadError(
                f'{url}: the cached {cached}: {err}; delete it to download '
                'it again') from None
        return cached
    os.makedirs(osp.dirname(cached), exist_ok=True)
    _remove_stale_parts(cached)
    part = f'{cached}.{os.getpid()}.part'
    if deadline is None:
        deadline = float(os.environ.get('TDMI_DOWNLOAD_DEADLINE', 3600))
    start = time.monotonic()
    instead = (f'download it by other means and give the local file '
               f'instead of the address (or place it at {cached})')
    try:
        request = urllib.request.Request(
            url, headers={'User-Agent': 'tdmi_mmpose'})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            size = int(answer.headers.get('Content-Length') or 0)
            if progress:
                print(f'Downloading {url} to {cached}'
                      + (f' ({size / 2**20:.1f} MiB)' if size else ''),
                      file=sys.stderr, flush=True)
            got, step = 0, max(size // 20, 1 << 20)
            with open(part, 'wb') as f:
                while True:
                    chunk = answer.read1(1 << 20)
                    if not chunk:
                        break
                    if time.monotonic() - start > deadline:
                        raise DownloadError(
                            f'{url} was still downloading after '
                            f'{deadline:g} s ({got} of {size or "?"} bytes: '
                            'a stalled or very slow server): try again '
                            'later, allow more time with '
                            'TDMI_DOWNLOAD_DEADLINE=<seconds>, or '
                            f'{instead}')
                    if got == 0:
                        kind = _checkpoint_kind(chunk[:64])
                        if kind is not None:
                            raise DownloadError(
                                f'{url} gave {kind} '
                                f'({answer.headers.get("Content-Type")}), '
                                f'not a PyTorch checkpoint: {instead}')
                    f.write(chunk)
                    if progress and size and (got + len(chunk)) // step \
                            > got // step:
                        print(f'  {100 * (got + len(chunk)) / size:.0f}%',
                              file=sys.stderr, flush=True)
                    got += len(chunk)
        if got == 0:
            raise DownloadError(f'{url} gave an empty answer, not a '
                                f'checkpoint: {instead}')
        if size and got != size:
            raise DownloadError(f'{url} stopped after {got} of its {size} '
                                f'bytes (a cut download): try again, or '
                                f'{instead}')
        if head_is_zip(part) is False:
            raise DownloadError(f'{url} gave a truncated file ({got} bytes, '
                                f'its zip directory missing): try again, '
                                f'or {instead}')
        try:
            checked = check_name_hash(part, url)
        except ValueError as err:
            raise DownloadError(f'{url} was downloaded but {err}; nothing '
                                f'was kept in the cache: try again, or '
                                f'{instead}') from None
        if progress and not checked:
            why = ('TDMI_HASH_CHECK=0' if name_hash(url) else
                   'its file name carries no hash')
            print(f'  content not checked ({why})', file=sys.stderr,
                  flush=True)
        if verify is not None:
            try:
                verify(part)
            except Exception as err:  # noqa: BLE001 (named with the address)
                reason = str(err).replace(part, 'the file')
                raise DownloadError(
                    f'{url} was downloaded but refused: {reason}; nothing '
                    'was kept in the cache') from None
        with open(source, 'w') as f:
            f.write(url + '\n')
        os.replace(part, cached)
    except urllib.error.HTTPError as err:
        raise DownloadError(f'{url} answered HTTP {err.code} {err.reason}: '
                            f'check the address, or {instead}') from None
    except urllib.error.URLError as err:
        raise DownloadError(f'{url} could not be reached ({err.reason}): '
                            f'no network, or a wrong host? {instead}') \
            from None
    except DownloadError:
        raise
    except Exception as err:  # noqa: BLE001 (re-raised with the address)
        raise DownloadError(f'{url}: the download failed '
                            f'({type(err).__name__}: {err}): try again, or '
                            f'{instead}') from None
    finally:
        if osp.exists(part):
            os.remove(part)
    return cached


def _remove_stale_parts(cached):
    """Remove what downloads of ``cached`` left when their process was
    killed (``<cached>.<pid>.part`` of a process that no longer runs)."""
    import glob
    for part in glob.glob(glob.escape(cached) + '.*.part'):
        pid = part[len(cached) + 1:-len('.part')]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            os.remove(part)
        except OSError:
            pass  # another user's running process


def head_is_zip(path):
    """True for a complete zip (torch's format), False for a file that
    starts as one but lacks its end, None for another format."""
    with open(path, 'rb') as f:
        if f.read(4) != b'PK\x03\x04':
            return None
    return zipfile.is_zipfile(path)


@functools.lru_cache(maxsize=None)
def _metafile_models(scope):
    """``[(names, entry, root)]`` of every model of ``scope``'s metafiles
    (names: the name and its aliases); empty when the package or its
    metafiles are not installed."""
    from mmengine.infer import BaseInferencer
    try:
        root = BaseInferencer._get_repo_or_mim_dir(scope)
        entries = list(BaseInferencer._get_models_from_metafile(root))
    except (ImportError, KeyError, OSError, FileNotFoundError):
        return []
    out = []
    for entry in entries:
        aliases = entry.get('Alias', [])
        aliases = [aliases] if isinstance(aliases, str) else list(aliases)
        out.append(([entry['Name'], *aliases], entry, root))
    return out


def tasks(entry):
    """The tasks of a metafile entry's results (``'Object Detection'``,
    ``'Body 2D Keypoint'``...)."""
    results = entry.get('Results') or []
    results = [results] if isinstance(results, dict) else results
    return {r.get('Task') for r in results if isinstance(r, dict)}


def is_detector(entry):
    """Whether a metafile entry is an mmdet detector."""
    return bool(tasks(entry) & set(DETECTION_TASKS))


def find_model(name, scopes=SCOPES, what='model'):
    """The metafile entry of a model name or alias (any case).

    Args:
        name (str): The name (``td-hm_hrnet-w48_8xb64-20e_posetrack18-
            384x288``) or an alias (``rtmdet-m``, ``tdmi``).
        scopes (tuple[str]): Packages whose metafiles are searched, in
            order. Default: tdmi_mmpose, mmpose, mmdet.
        what (str): How the error names the thing looked for.

    Returns:
        tuple: ``(entry, root, scope)``; ``osp.join(root, entry['Config'])``
        is the model's config.

    Raises:
        ModelNameError: no metafile has the name; the message lists the
            closest names.
    """
    known = {}
    for scope in scopes:
        for names, entry, root in _metafile_models(scope):
            for n in names:
                known.setdefault(n.lower(), (n, entry, root, scope))
    if name.lower() in known:
        return known[name.lower()][1:]
    close = difflib.get_close_matches(name.lower(), list(known), n=3,
                                      cutoff=0.6)
    hint = (f'the closest names: {", ".join(known[c][0] for c in close)}'
            if close else f'`mim search {scopes[0]}` lists the names')
    raise ModelNameError(
        f'{what} {name!r} is neither a file, an http(s) address nor a model '
        f'name of {"/".join(scopes)}: {hint}')


def model_weights(name, scopes=SCOPES, what='weights'):
    """The published weights' address of a model named in a metafile."""
    entry, _, scope = find_model(name, scopes, what)
    weights = entry.get('Weights')
    if not weights:
        raise ModelNameError(f'{what} {name!r}: {scope} publishes no '
                             'weights for this model; give a checkpoint')
    return weights


def resolve_weights(spec, scopes=SCOPES, what='weights'):
    """A local checkpoint or an address as they are; a model name as its
    published weights' address (mmengine's loader then downloads it once
    through :func:`download`).

    Args:
        spec (str | None): A path, an ``http(s)://`` address or a model
            name or alias of a metafile.
        scopes (tuple[str]): Metafiles to look names up in.
        what (str): How errors name it (``'pose checkpoint'``...).

    Returns:
        str | None: A path or an address.

    Raises:
        ModelNameError: ``spec`` is no file, address or known name (the
            closest names are listed).
    """
    if spec is None or not isinstance(spec, str) or is_address(spec) \
            or osp.isfile(osp.expanduser(spec)):
        return spec
    if osp.sep in spec or spec.endswith(('.pth', '.pt', '.ckpt')):
        raise FileNotFoundError(f'{what} {spec} does not exist')
    return model_weights(spec, scopes, what)
