"""Write the results tables and figures of the docs and the README from the
records in ``docs/en/records`` (:mod:`tdmi_mmpose.experiments.docs`).

Each measuring tool writes a record with ``--record
docs/en/records/NAME.json``; this tool then rewrites every block
``<!-- record NAME -->`` ... ``<!-- /record -->`` of ``README.md`` and
``docs/en`` and every figure drawn from a record. ``--check`` writes
nothing and lists what differs (exit 1), as the docs test does.

Example:
    python tools/analysis/ablation.py --set warm --seeds 5 --jobs 2 \\
        --work-dir work_dirs/ablation_warm \\
        --record docs/en/records/ablation_warm.json
    python tools/analysis/docs_tables.py
"""
import argparse
import sys

from tdmi_mmpose.experiments.docs import update


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='change nothing; list the pages and figures '
                        'that differ from their records (exit 1 if any)')
    return parser.parse_args()


def main():
    args = parse_args()
    changed = update(check=args.check)
    verb = 'differs from its record' if args.check else 'written'
    for path in changed:
        print(f'{path}: {verb}')
    if not changed:
        print('every table and figure matches its record')
    sys.exit(1 if args.check and changed else 0)


if __name__ == '__main__':
    from tdmi_mmpose.experiments.cli import one_line_errors
    one_line_errors(main, 'docs_tables.py')
