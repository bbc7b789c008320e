"""Publish a checkpoint: keep the weights and meta, drop the optimizer and
training state, and append the first 8 hex digits of its SHA-256 to the
file name (as mmpose's tool does), loading it with the project's safe
loading so that OpenMMLab checkpoints with numpy meta work under torch's
``weights_only`` default.

Example:
    python tools/publish_model.py work_dirs/tdmi/epoch_20.pth tdmi_w48.pth
    # -> tdmi_w48-1a2b3c4d.pth
"""
import argparse
import hashlib
import os
import os.path as osp

import torch

from tdmi_mmpose.utils import load_checkpoint_safely


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('in_file', help='checkpoint to publish')
    parser.add_argument('out_file', help='published file (before the hash)')
    parser.add_argument('--save-keys', nargs='+', default=['meta',
                                                           'state_dict'],
                        help='top-level keys to keep (default: %(default)s)')
    return parser.parse_args()


def publish(in_file, out_file, save_keys=('meta', 'state_dict')):
    """Write the published checkpoint; returns its final path."""
    checkpoint = load_checkpoint_safely(in_file, map_location='cpu')
    missing = [k for k in save_keys if k not in checkpoint]
    if missing:
        raise KeyError(f'{in_file} has no {missing}; it holds '
                       f'{sorted(checkpoint)}')
    torch.save({k: checkpoint[k] for k in save_keys}, out_file)
    with open(out_file, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    final = f'{stem}-{sha[:8]}.pth'
    os.replace(out_file, final)
    return final


def main():
    args = parse_args()
    final = publish(args.in_file, args.out_file, args.save_keys)
    print(f'published {args.in_file} as {final} '
          f'({osp.getsize(final) / 2**20:.1f} MiB)')


if __name__ == '__main__':
    main()
