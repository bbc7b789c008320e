"""Sphinx configuration of tdmi_mmpose's documentation (Markdown pages
through myst-parser, as mmpose's docs/en). Build: ``make docs``."""
import os.path as osp
import sys

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, ROOT)

project = 'tdmi_mmpose'
copyright = '2026, tdmi_mmpose contributors'
author = 'tdmi_mmpose contributors'
version = release = open(osp.join(ROOT, 'tdmi_mmpose', 'version.py')).read(
).split("'")[1]

extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
master_doc = 'index'
exclude_patterns = ['_build']
# GitHub-style anchors for headings down to ####, so that links written
# for GitHub (page.md#a-heading) resolve in the HTML too
myst_heading_anchors = 4
myst_enable_extensions = ['colon_fence']
html_theme = 'alabaster'
html_static_path = []
