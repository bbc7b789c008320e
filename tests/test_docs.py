"""The front page and the docs: every relative link and ``#anchor`` in
``README.md`` and ``docs/`` resolves (checked without Sphinx), the README
stays a front page, and ``make docs`` builds with warnings as errors."""
import glob
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+"[^"]*")?\)')


def markdown_files():
    return [osp.join(ROOT, 'README.md')] + sorted(
        glob.glob(osp.join(ROOT, 'docs', '**', '*.md'), recursive=True))


def prose(text):
    """``text`` without fenced code blocks and inline code."""
    text = re.sub(r'^(```|~~~).*?^\1', '', text, flags=re.S | re.M)
    return re.sub(r'`[^`\n]*`', '', text)


def slug(heading):
    """GitHub's (and myst-parser's) anchor of a heading."""
    text = re.sub(r'`([^`]*)`', r'\1', heading.strip().lower())
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(path):
    """Every heading anchor of a markdown file (repeats get -1, -2...)."""
    seen, out = {}, set()
    text = re.sub(r'^(```|~~~).*?^\1', '', open(path).read(),
                  flags=re.S | re.M)
    for line in text.split('\n'):
        match = re.match(r'#{1,6}\s+(.*)', line)
        if match:
            base = slug(match.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f'{base}-{n}')
    return out


def dead_links(path):
    """``(link, why)`` of every relative link of ``path`` that does not
    resolve."""
    dead = []
    for target in LINK.findall(prose(open(path).read())):
        if re.match(r'[a-z][a-z0-9+.-]*:', target):  # http:, mailto:
            continue
        file, _, anchor = target.partition('#')
        dest = osp.normpath(osp.join(osp.dirname(path), file)) if file \
            else path
        if not osp.exists(dest):
            dead.append((target, 'no such file'))
        elif anchor and (not dest.endswith('.md')
                         or anchor not in anchors(dest)):
            dead.append((target, 'no such heading'))
    return dead


def test_slugs_are_githubs():
    assert slug('Training on GPUs: precision, memory, set-up') == \
        'training-on-gpus-precision-memory-set-up'
    assert slug('Video at single-frame cost (feature reuse)') == \
        'video-at-single-frame-cost-feature-reuse'
    assert slug('`make docs`') == 'make-docs'


def test_the_checker_finds_dead_links(tmp_path):
    (tmp_path / 'b.md').write_text('# Title here\n\n## Part two\n')
    page = tmp_path / 'a.md'
    page.write_text('[ok](b.md#part-two) [gone](c.md) [bad](b.md#part-3) '
                    '[self](#top) `[code](x.md)`\n\n# Top\n')
    assert dead_links(str(page)) == [('c.md', 'no such file'),
                                     ('b.md#part-3', 'no such heading')]


def test_every_relative_link_and_anchor_resolves():
    dead = {osp.relpath(p, ROOT): d for p in markdown_files()
            if (d := dead_links(p))}
    assert not dead, dead


def test_the_readme_is_a_front_page():
    lines = open(osp.join(ROOT, 'README.md')).read().split('\n')
    assert len(lines) <= 250, len(lines)
    text = '\n'.join(lines[:80])  # the first screenful and a half
    assert 'demo/video_demo.py' in text  # run on my video
    assert 'posetrack17' in text  # train on PoseTrack17


@pytest.mark.skipif(shutil.which('make') is None, reason='needs make')
def test_make_docs_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip('sphinx')
    pytest.importorskip('myst_parser')
    proc = subprocess.run(
        ['make', 'docs', f'DOCS_BUILD={tmp_path}/html'], cwd=ROOT,
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert osp.isfile(tmp_path / 'html' / 'index.html')


def test_make_docs_without_sphinx_says_how_to_install(tmp_path):
    """An interpreter without Sphinx: one line naming the requirements."""
    bare = tmp_path / 'bare'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip',
                    str(bare)], check=True, timeout=300)
    proc = subprocess.run(['make', 'docs', f'PY={bare}/bin/python'],
                          cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) >= 1 and 'requirements/docs.txt' in lines[0]


def test_every_table_and_figure_regenerates_from_its_record(tmp_path):
    """The results blocks of the README and the docs and the figures drawn
    from records are exactly what the records give (bit for bit)."""
    from tdmi_mmpose.experiments.docs import update
    assert update(check=True, out_dir=str(tmp_path)) == []


def test_a_changed_record_shows_in_its_table_and_figures(tmp_path,
                                                          monkeypatch):
    """One number changed in the warm set's record: the check names the
    Results page and both figures drawn from that record."""
    import json

    from tdmi_mmpose.experiments import docs
    records = tmp_path / 'records'
    shutil.copytree(docs.RECORDS, records)
    path = records / 'ablation_warm.json'
    record = json.loads(path.read_text())
    entry = record['results']['stats']['warm-e2']['all']
    entry['mean'] += 1.0  # the table and the cost figure
    entry['minus_reference']['mean'] += 1.0  # the forest figure
    path.write_text(json.dumps(record))
    monkeypatch.setattr(docs, 'RECORDS', str(records))
    changed = set(docs.update(check=True, out_dir=str(tmp_path)))
    assert {c.split(' (')[0] for c in changed} == {
        'docs/en/results.md', 'docs/en/figures/warm_forest.png',
        'docs/en/figures/warm_cost.png'}
    # the page's entry names the record and the block that differs
    assert any(c.startswith('docs/en/results.md (record ablation_warm, '
                            'block ') for c in changed), changed


def test_every_record_is_shown_and_every_figure_once():
    """Each record in docs/en/records has a block on some page, each
    figure appears on one page only, and each is drawn from a record or a
    picture a named tool made."""
    from tdmi_mmpose.experiments.docs import (BLOCK, FIGURES, PAGES,
                                              PICTURES, RECORDS)
    texts = {p: open(p).read() for p in PAGES}
    shown = {m.group('name') for t in texts.values()
             for m in BLOCK.finditer(t)}
    recorded = {osp.splitext(f)[0] for f in os.listdir(RECORDS)}
    assert recorded == shown
    for figure in glob.glob(osp.join(ROOT, 'docs', 'en', 'figures', '*')):
        name = osp.basename(figure)
        pages = [p for p, t in texts.items() if f'figures/{name})' in t]
        assert len(pages) == 1, (name, pages)
    assert {osp.basename(f) for f in [*FIGURES, *PICTURES]} == {
        osp.basename(f) for f in glob.glob(osp.join(ROOT, 'docs', 'en',
                                                    'figures', '*'))}


def test_a_record_names_its_tool_wherever_the_checkout_lives(tmp_path):
    """A checkout reached through a symbolic link: the record's command is
    the tool's path in the checkout, not ``../../<real folder>/tools/..``
    (the link on one side, the resolved path on the other)."""
    from tdmi_mmpose.experiments.docs import command_name
    from tdmi_mmpose.experiments.params import CHECKOUT as ROOT
    link = tmp_path / 'link'
    link.symlink_to(ROOT)
    assert command_name(str(link / 'tools' / 'demo.py')) == \
        osp.join('tools', 'demo.py')
    assert command_name(osp.join(osp.realpath(ROOT), 'tools',
                                 'demo.py')) == osp.join('tools', 'demo.py')
    outside = str(tmp_path / 'elsewhere.py')
    assert command_name(outside) == outside


CLAIMS = re.compile(r'(written|made|drawn)[^.]{0,80}\bby the tools? that '
                    r'measured|tool-written', re.I)


def test_no_page_says_a_transcribed_record_was_written_by_its_tool():
    """A page holding a transcribed record (``source`` other than
    ``measured``) must not say its tables are written by the tool that
    measured them; the changelog's history is exempt."""
    from tdmi_mmpose.experiments.docs import BLOCK, PAGES, read_record
    bad = []
    for page in PAGES:
        if page.endswith('changelog.md'):
            continue
        text = open(page).read()
        transcribed = [m.group('name') for m in BLOCK.finditer(text)
                       if read_record(m.group('name'))['source'] !=
                       'measured']
        prose = BLOCK.sub('', text)
        if transcribed and CLAIMS.search(prose):
            bad.append((osp.relpath(page, ROOT), transcribed[0],
                        CLAIMS.search(prose).group(0)))
    assert not bad, bad


def headline_numbers(record):
    """``{label: mean}`` of a record's models on all key frames (ablation
    records), for the prose check."""
    from tdmi_mmpose.experiments.models import label
    results = record['results']
    if record['tool'] != 'ablation':
        return {}
    return {label(name): entry['all']['mean']
            for name, entry in results['stats'].items() if 'all' in entry}


def test_prose_does_not_restate_a_record_with_another_value():
    """Outside record blocks, a sentence that names a model of a record on
    the same page and gives it an mAP ("<label> ... NN.N") must give the
    record's value (one decimal); the changelog keeps superseded figures."""
    from tdmi_mmpose.experiments.docs import BLOCK, PAGES, read_record
    bad = []
    for page in PAGES:
        if page.endswith('changelog.md'):
            continue
        text = open(page).read()
        numbers = {}
        for m in BLOCK.finditer(text):
            numbers.update(headline_numbers(read_record(m.group('name'))))
        prose = BLOCK.sub('', text)
        for sentence in re.split(r'(?<=[.;])\s', prose):
            for name, mean in numbers.items():
                if name not in sentence:
                    continue
                after = sentence.split(name, 1)[1][:40]
                found = re.match(r'\D{0,20}?(\d{2}\.\d)\b', after)
                if found and abs(float(found.group(1)) - mean) > 0.051:
                    bad.append((osp.relpath(page, ROOT), name,
                                found.group(1), round(mean, 1)))
    assert not bad, bad


def test_a_stale_block_is_named_by_record_and_block(tmp_path, monkeypatch):
    """``docs_tables.py --check`` names the record and which of a page's
    blocks differs; a record without ``results`` is one line naming it."""
    from tdmi_mmpose.experiments import docs
    text = open(osp.join(ROOT, 'docs', 'en', 'performance.md')).read()
    blocks = list(docs.BLOCK.finditer(text))
    assert len(blocks) > 1 and docs.stale_blocks(text) == []
    target = next(i for i, m in enumerate(blocks)
                  if m.group('name') == 'benchmark_cpu')
    m = blocks[target]
    body = m.group('body').replace('| 0.37 |', '| 0.38 |', 1)
    assert body != m.group('body')
    changed = text[:m.start('body')] + body + text[m.end('body'):]
    assert docs.stale_blocks(changed) == [
        f'benchmark_cpu, block {target + 1} of {len(blocks)}']
    (tmp_path / 'broken.json').write_text(json.dumps(dict(
        tool='table', command='x', date='d', machine='m', load='l',
        source='measured')))
    monkeypatch.setattr(docs, 'RECORDS', str(tmp_path))
    from tdmi_mmpose.experiments.errors import ExperimentError
    with pytest.raises(ExperimentError, match='broken.json lacks results'):
        docs.read_record('broken')


def test_an_emptied_stamp_file_means_the_run_is_done_again(tmp_path):
    from tdmi_mmpose.experiments.jobs import read_stamp
    (tmp_path / 'main_job_stamp.json').write_text('')
    assert read_stamp(str(tmp_path)) == {}
    (tmp_path / 'main_job_stamp.json').write_text('{"stamp": "a"')
    assert read_stamp(str(tmp_path)) == {}
    (tmp_path / 'main_job_stamp.json').write_text('{"stamp": "a"}')
    assert read_stamp(str(tmp_path)) == {'stamp': 'a'}


def test_the_set_up_writes_its_phase_times_as_a_record(tmp_path):
    """``TDMI_SETUP_RECORD``: the set-up's phases become a ``table`` record
    that the docs render, the total last, with what was compiled."""
    from tdmi_mmpose.experiments.docs import provenance, table
    from tdmi_mmpose.experiments.setup_record import setup_record
    path = tmp_path / 'setup.json'
    setup_record(str(path), 725, 'mmcv,xtcocotools', '6.4G', '-O1', '0.3',
                 ['venv and build tools=21', 'torch, torchvision, numpy=64'])
    record = json.load(open(path))
    assert record['command'].startswith('tools/env/setup_env.sh')
    text = table(record['results'])
    assert '| torch, torchvision, numpy | 64 |' in text
    assert text.index('| total | 725 |') > text.index('| venv and build')
    assert 'mmcv, xtcocotools' in text and '6.4G' in text
    assert 'load average 0.3 at the start' in provenance(record, 'setup')
    script = open(osp.join(ROOT, 'tools', 'env', 'setup_env.sh')).read()
    assert 'tdmi_mmpose.experiments.setup_record' in script
    assert script.count('phase "') >= 5
