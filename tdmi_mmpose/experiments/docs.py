"""The results in the documentation, written from records kept in the
repository (``docs/en/records/NAME.json``) by the code of the tool that
measured them (``tools/analysis/docs_tables.py``).

A record is what a tool wrote (``--record``), with where it came from::

    {"tool": "ablation" | "frontier" | "main_job" | "table",
     "command": "...", "date": "YYYY-MM-DD", "machine": "...",
     "load": "alone" | "shared: ...", "source": "measured" | "...",
     "results": {what the tool wrote to its results.json}}

A page holds a record's table between two markers, which this module
rewrites::

    <!-- record NAME [VIEW] -->
    ...generated...
    <!-- /record -->

``VIEW`` picks another rendering of the same record (``compact``: the
README's short table). The figures of ``FIGURES`` are drawn the same way.
A test regenerates every block and figure and fails on any difference.
"""
import glob
import json
import os
import os.path as osp
import platform
import re
import sys
import time

from . import figures
from .errors import ExperimentError
from .models import label as model_label
from .params import CHECKOUT
from .records import write_json
from .stats import fmt, fmt_diff

DOCS = osp.join(CHECKOUT, 'docs', 'en')
RECORDS = osp.join(DOCS, 'records')
PAGES = [osp.join(CHECKOUT, 'README.md')] + sorted(
    glob.glob(osp.join(DOCS, '**', '*.md'), recursive=True))
BLOCK = re.compile(r'(<!-- record (?P<name>[\w.-]+)(?: (?P<view>\w+))? -->\n)'
                   r'(?P<body>.*?)(<!-- /record -->)', re.S)
# figure (relative to docs/en) -> (record, kind)
FIGURES = {
    'figures/warm_forest.png': ('ablation_warm', 'forest'),
    'figures/adapt_forest.png': ('adaptation', 'forest'),
    'figures/warm_cost.png': ('ablation_warm', 'cost'),
    'figures/frontier.png': ('frontier', 'frontier'),
    'figures/tracking.png': ('tracking', 'tracking'),
}
# pictures of a run's output (no numbers) -> the tool that made them
PICTURES = {
    'figures/annotated_frame.jpg': 'tools/analysis/annotated_frame.py',
}


def machine():
    """This machine in words: CPU model, cores, GPU."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            found = re.search(r'model name\s*:\s*(.*)', f.read())
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    gpu = 'no GPU'
    try:
        import torch
        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return f'{cpu}, {os.cpu_count()} cores, {gpu}'


def load():
    """The machine's load average over the last minute, in words."""
    try:
        return f'load average {os.getloadavg()[0]:.1f}'
    except OSError:
        return 'load unknown'


def command_name(argv0=None):
    """The running tool as a record names it: its path relative to the
    checkout, both sides with symbolic links resolved (a checkout reached
    through a link would otherwise give ``../../<real folder>/tools/...``);
    a tool outside the checkout keeps its own path."""
    path = osp.realpath(argv0 or sys.argv[0])
    root = osp.realpath(CHECKOUT)
    if osp.commonpath([path, root]) == root:
        return osp.relpath(path, root)
    return argv0 or sys.argv[0]


def write_record(path, tool, results, started_load):
    """Write a record of ``results`` (what ``tool`` wrote to its results
    file) with the command, date, machine and the load at the start and
    end of the run.

    Args:
        path (str): The record (e.g. ``docs/en/records/NAME.json``).
        tool (str): The renderer: ``'ablation'``, ``'frontier'``,
            ``'main_job'`` or ``'table'``.
        results (dict): The tool's results.
        started_load (str): :func:`load` when the run started.
    """
    record = dict(
        tool=tool, command=' '.join([command_name()] + sys.argv[1:]),
        date=time.strftime('%Y-%m-%d'), machine=machine(),
        load=f'{started_load} at the start, {load()} at the end',
        source='measured', results=results)
    write_json(path, record)


def read_record(name):
    """The record ``docs/en/records/NAME.json``; a missing or broken one
    stops with its name."""
    path = osp.join(RECORDS, f'{name}.json')
    try:
        with open(path) as f:
            record = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise ExperimentError(f'record {path}: {err}') from None
    missing = [k for k in ('tool', 'command', 'date', 'machine', 'load',
                           'source', 'results')
               if not isinstance(record, dict) or k not in record]
    if missing:
        raise ExperimentError(f'record {path} lacks '
                         f'{", ".join(missing)}: write it again with the '
                         "measuring tool's --record")
    return record


def provenance(record, name, short=False):
    """The line under a generated table: command, date, machine, load,
    the record's file, and where a record that the tool did not write came
    from (``short``: only that it did not)."""
    measured = record['source'] == 'measured'
    note = '' if measured or short else f' {record["source"]}.'
    mark = '' if measured or not short else ', not written by the tool'
    return (f'*`{record["command"]}`; {record["date"]}, {record["machine"]}'
            f', {record["load"]}. Record: `docs/en/records/{name}.json`'
            f'{mark}.{note}*')


def compact(results):
    """The README's view of an ablation record: model, training minutes,
    mAP on all and degraded key frames, all − reference."""
    stats, ref = results['stats'], results['reference']
    minutes = results.get('train_minutes_normalised') or \
        results.get('train_minutes') or {}
    lines = ['| model | training min | all key frames | degraded key '
             f'frames | all − {model_label(ref)} |',
             '|---|---:|---:|---:|---:|']
    for name in results['names']:
        if name not in stats:
            continue
        e = stats[name]
        bold = '**' if name in results.get('highlight', ()) else ''
        cost = f'{minutes[name]["mean"]:.1f}' if name in minutes else '—'
        lines.append(
            f'| {bold}{model_label(name)}{bold} | {cost} | '
            f'{fmt(_plain(e.get("all")))} | {fmt(_plain(e.get("degraded")))}'
            f' | {fmt_diff(e.get("all", {}).get("minus_reference"))} |')
    return '\n'.join(lines)


def _plain(entry):
    """A summary without its interval (mean ± std)."""
    return None if entry is None else dict(entry, ci95=None)


def comparisons(results):
    """Paired differences to other references than the table's."""
    from .ablation import comparison_table
    return comparison_table(results.get('comparisons') or [])


def table(results):
    """A ``'table'`` record: its header and rows as they were printed."""
    lines = ['| ' + ' | '.join(results['header']) + ' |',
             '|' + '|'.join(results.get('align') or
                            ['---'] * len(results['header'])) + '|']
    lines += ['| ' + ' | '.join(map(str, row)) + ' |'
              for row in results['rows']]
    return '\n'.join(lines + [''] + ([results['note']]
                                     if results.get('note') else []))


def render(name, view=None):
    """The markdown of record ``name`` (in ``view``), provenance last."""
    record = read_record(name)
    results, tool = record['results'], record['tool']
    if view == 'compact':
        body = compact(results)
    elif tool == 'ablation':
        from .ablation import markdown
        minutes = results.get('train_minutes_normalised') or \
            results.get('train_minutes')
        body = markdown(results['stats'], results['names'],
                        results['reference'], '', minutes).strip('\n')
        extra = comparisons(results)
        if extra:
            body += '\n\nOther paired differences (by seed):\n\n' + extra
    elif tool == 'frontier':
        from .frontier import markdown
        body = markdown(results['stats'], results.get('w48'), '').strip('\n')
    elif tool == 'main_job':
        from .main_job import format_tables
        body = format_tables(results['results'], '')[1].strip('\n')
    elif tool == 'table':
        body = table(results).strip('\n')
    elif tool == 'tracking':
        from .pose_tracking import markdown
        body = markdown(results)
    elif tool == 'smoothing':
        from .smoothing import markdown
        body = markdown(results)
    else:
        raise ExperimentError(f'record {name}: unknown '
                         f'tool {tool!r}')
    return body + '\n\n' + provenance(record, name,
                                        short=view == 'compact') + '\n'


def regenerate_page(path):
    """The text of ``path`` with each record block written anew."""
    with open(path) as f:
        text = f.read()

    def block(match):
        return (match.group(1) + render(match.group('name'),
                                        match.group('view')) +
                match.group(5))
    return BLOCK.sub(block, text)


def stale_blocks(text):
    """The record blocks of a page's ``text`` that differ from their
    records: ``NAME`` (``NAME [VIEW]``), with ``block i of N`` where the
    page holds several."""
    blocks = list(BLOCK.finditer(text))
    out = []
    for i, m in enumerate(blocks):
        if m.group('body') != render(m.group('name'), m.group('view')):
            what = m.group('name') + (f' [{m.group("view")}]'
                                      if m.group('view') else '')
            out.append(what + (f', block {i + 1} of {len(blocks)}'
                               if len(blocks) > 1 else ''))
    return out


def draw(figure, out):
    """Draw ``FIGURES[figure]`` from its record into ``out``, with the code
    of the tool that measured it."""
    name, kind = FIGURES[figure]
    record = read_record(name)
    caption = f'{record["command"]}; {record["date"]}'
    if kind == 'frontier':
        from .frontier import draw as draw_frontier
        return draw_frontier(record['results'], out, caption)
    if kind == 'tracking':
        from .pose_tracking import draw as draw_tracking
        return draw_tracking(record['results'], out, caption)
    from .ablation import cost_points, forest_rows
    results = record['results']
    if kind == 'forest':
        return figures.forest_figure(forest_rows(results),
                                     model_label(results['reference']), out,
                                     caption)
    return figures.cost_figure(cost_points(results), out, caption)


def update(check=False, out_dir=None):
    """Rewrite every record block of the pages and draw every figure.

    Args:
        check (bool): Write nothing; return what differs.
        out_dir (str, optional): Where ``check`` draws the figures
            (default: a temporary folder).

    Returns:
        list[str]: the pages and figures that differ (with ``check``) or
        were changed.
    """
    import filecmp
    import shutil
    import tempfile
    changed = []
    for page in PAGES:
        with open(page) as f:
            before = f.read()
        after = regenerate_page(page)
        if after != before:
            stale = stale_blocks(before)
            changed.append(osp.relpath(page, CHECKOUT) + (
                f' (record {", ".join(stale)})' if stale else ''))
            if not check:
                with open(page, 'w') as f:
                    f.write(after)
    with tempfile.TemporaryDirectory() as tmp:
        for figure in FIGURES:
            target = osp.join(DOCS, figure)
            out = osp.join(out_dir or tmp, osp.basename(figure))
            draw(figure, out)
            if not (osp.isfile(target) and filecmp.cmp(out, target, False)):
                changed.append(osp.relpath(target, CHECKOUT))
                if not check:
                    shutil.copyfile(out, target)
    return changed
