"""The front page and the docs: every relative link and ``#anchor`` in
``README.md`` and ``docs/`` resolves (checked without Sphinx), the README
stays a front page, and ``make docs`` builds with warnings as errors."""
import glob
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
    assert 'tools/video_demo.py' in text  # run on my video
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
