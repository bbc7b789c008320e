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

from tdmi_mmpose.experiments.cli import run_and_record
from tdmi_mmpose.experiments.cost import BASELINE, DEFAULT, run


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
    run_and_record(parse_args(), run, 'table')


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'get_cost.py')
