"""Command-line options that ``tools/train.py`` and ``tools/test.py``
share, with mmpose's names and meanings: mixed precision and drawing
predictions, and the checkpoint a run resumes from."""
import glob
import logging
import os
import os.path as osp
import re

from mmengine.logging import print_log

AMP_DTYPES = dict(fp16='float16', bf16='bfloat16')


def add_amp_arg(parser, what):
    """``--amp [fp16|bf16]``; bare ``--amp``
    is fp16, as in mmpose."""
    parser.add_argument(
        '--amp', nargs='?', const='fp16', choices=tuple(AMP_DTYPES),
        help=f'automatic mixed precision: {what}; fp16 without a value, '
        'bf16 for cards with bfloat16 (Ampere and newer)')


def amp_device(dtype, cpu_ok):
    """The device type (``'cuda'`` or ``'cpu'``) on which ``--amp dtype``
    runs; stops with one line naming the flag and what to use instead where
    it cannot run (no CUDA, or bf16 on a GPU without bfloat16)."""
    import torch
    if torch.cuda.is_available():
        if dtype == 'bf16' and not torch.cuda.is_bf16_supported():
            raise SystemExit(
                f'--amp bf16: this GPU ({torch.cuda.get_device_name()}) has '
                'no bfloat16 support: use --amp fp16, or run without --amp')
        return 'cuda'
    if cpu_ok and dtype == 'bf16':
        return 'cpu'
    use = ('use --amp bf16 (CPU autocast), or run without --amp' if cpu_ok
           else 'train without --amp')
    raise SystemExit(f'--amp {dtype} (mixed precision) needs a CUDA device; '
                     f'this machine has none: {use}')


def add_visualization_args(parser, stage):
    """mmpose's ``--show-dir``/``--show``/``--interval``/``--wait-time``
   ; ``stage`` names what is drawn."""
    parser.add_argument('--show-dir',
                        help=f'draw {stage} predictions (key frames) into '
                        'this folder of the run\'s work dir')
    parser.add_argument('--show', action='store_true',
                        help=f'show {stage} predictions in a window')
    parser.add_argument('--interval', type=int, default=1,
                        help=f'draw every n-th {stage} iteration')
    parser.add_argument('--wait-time', type=float, default=1,
                        help='seconds each shown image stays')


def enable_visualization(cfg, config, show, show_dir, interval, wait_time):
    """``--show``/``--show-dir``/``--interval``/``--wait-time`` as mmpose
    applies them to ``default_hooks.visualization``."""
    if not (show or show_dir):
        return
    if 'visualization' not in cfg.default_hooks:
        raise KeyError(f'{config} has no default_hooks.visualization, '
                       'which --show and --show-dir turn on; add '
                       "dict(type='VideoPoseVisualizationHook') there")
    vis = cfg.default_hooks.visualization
    vis.enable, vis.show = True, show
    if show:
        vis.wait_time = wait_time
    vis.out_dir, vis.interval = show_dir, interval


def latest_checkpoint(work_dir):
    """The checkpoint to resume in ``work_dir``: the one named in its
    ``last_checkpoint`` file, else (file missing, empty, garbled or naming a
    missing file, with a warning) the highest ``epoch_N``/``iter_N`` file;
    None, with a warning, when there is none."""
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record, encoding='utf-8', errors='replace') as f:
            named = f.read().strip()
        if named and osp.isfile(named):
            return named
        print_log(f'{record} names no existing checkpoint ({named[:80]!r}); '
                  'resuming the newest checkpoint of the work dir instead',
                  logger='current', level=logging.WARNING)
    found = []
    for path in glob.glob(osp.join(work_dir, '*.pth')):
        match = re.fullmatch(r'(epoch|iter)_(\d+)\.pth', osp.basename(path))
        if match:
            found.append((int(match.group(2)), path))
    if not found:
        print_log(f'--resume: no checkpoint in {work_dir}; training starts '
                  'from the beginning', logger='current',
                  level=logging.WARNING)
        return None
    return max(found)[1]


def check_device(device):
    """Refuse, in one line, a CUDA device on a machine without CUDA."""
    if device and device.startswith('cuda'):
        import torch
        if not torch.cuda.is_available():
            raise ValueError(f'--device {device}: this machine has no CUDA '
                             'device; leave --device out (the CPU is then '
                             'used, as in mmpose) or give --device cpu')


def writable(folder):
    """Whether files can be created in ``folder`` (made if missing): its
    nearest existing parent is a writable folder."""
    path = osp.abspath(folder)
    while not osp.exists(path):
        parent = osp.dirname(path)
        if parent == path:
            return False
        path = parent
    return osp.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def check_writable(*folders):
    """Refuse, in one line, an output folder that cannot be written
    (``None`` entries are skipped): checked before the work, not after."""
    for folder in folders:
        if folder and not writable(folder):
            raise ValueError(f'cannot write to {folder}: give a folder you '
                             'can write to')


def run_moved(old_file, new_path):
    """Runs the script that ``old_file`` (a tool's old path, kept for one
    release) moved to, ``new_path`` relative to the old file's folder, with
    a note on standard error naming the new place; the arguments pass on
    unchanged."""
    import runpy
    import sys
    here = osp.dirname(osp.abspath(old_file))
    new_file = osp.normpath(osp.join(here, new_path))
    old = f'{osp.basename(here)}/{osp.basename(old_file)}'
    new = osp.relpath(new_file, osp.dirname(here))
    print(f'{old} is now {new} (the old path goes in the next release)',
          file=sys.stderr)
    sys.argv[0] = new_file
    runpy.run_path(new_file, run_name='__main__')
