"""Parameters, GFLOPs and CPU latency of TDMI per person, next to mmpose's
single-frame HRNet-W48 at the same input size, measured in one run
(:mod:`tdmi_mmpose.experiments.cost`).

TDMI runs the backbone on all T = 2*delta + 1 frames (irreducible); what it
adds on top is the TDE neck, the RDM and the head. The tool prints both
costs and the ratio of that addition to the T backbone passes (target:
<= 10%).

Example:
    python tools/analysis/get_cost.py            # W48, 384x288
    python tools/analysis/get_cost.py --config configs/tdmi/tiny/...
"""
import argparse
import os.path as osp

import torch

from tdmi_mmpose.experiments.cost import BASELINE, DEFAULT, cost_rows
from tdmi_mmpose.experiments.docs import load, write_record
from tdmi_mmpose.experiments.models import ROOT


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEFAULT)
    parser.add_argument('--baseline', default=BASELINE,
                        help='single-frame mmpose config to compare with')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--record',
                        help='also write the table as a docs record '
                        '(docs/en/records/NAME.json; see '
                        'tools/analysis/docs_tables.py)')
    return parser.parse_args()


def main():
    args = parse_args()
    started = load()
    from mmpose.utils import register_all_modules
    register_all_modules()
    rows, clip = cost_rows(args.config, args.baseline, args.repeats)
    frames, (h, w) = clip.shape[1], clip.shape[-2:]
    print(f'TDMI: {osp.relpath(args.config, ROOT)}; baseline: '
          f'{args.baseline}; input {h}x{w}, {frames} frames, 1 person, '
          f'CPU threads {torch.get_num_threads()}')
    print(f'{"":32}{"params (M)":>12}{"GFLOPs":>10}{"CPU ms":>10}')
    for name, p, m, t in rows:
        print(f'{name:32}{p:12.2f}{m / 1e9:10.2f}{t * 1e3:10.1f}')
    (_, _, macs_base, t_base), (_, _, macs_bb, t_bb), \
        (_, _, macs_extra, t_extra), (_, _, macs_all, t_full) = rows
    print(f'TDMI / single-frame: {macs_all / macs_base:.2f}x GFLOPs, '
          f'{t_full / t_base:.2f}x latency')
    ratio_f, ratio_t = macs_extra / macs_bb, t_extra / t_bb
    verdict = 'met' if max(ratio_f, ratio_t) <= 0.10 else 'NOT met'
    summary = (f'TDE + RDM + head on top of the {frames} backbone passes: '
               f'{100 * ratio_f:.1f}% GFLOPs, {100 * ratio_t:.1f}% latency '
               f'(target <= 10%: {verdict})')
    print(summary)
    if args.record:
        write_record(args.record, 'table', dict(
            header=['per person', 'params (M)', 'GFLOPs', 'CPU ms'],
            align=['---', '---:', '---:', '---:'],
            rows=[[name, f'{p:.2f}', f'{m / 1e9:.2f}', f'{t * 1e3:.1f}']
                  for name, p, m, t in rows],
            note=f'Input {h}x{w}, {frames} frames, one person, '
            f'{torch.get_num_threads()} CPU threads. {summary}.'), started)


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'get_cost.py')
