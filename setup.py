"""Packaging for tdmi_mmpose, an mmpose 1.x plugin.

Like mmpose, the package carries its configs and tools in ``tdmi_mmpose/.mim``
so that ``mim train tdmi_mmpose <config>`` and ``mim test`` find them: the
development install links them, a wheel build copies them into its build
folder. The research application (``tdmi_mmpose.experiments`` and the
tools that run it) stays in the checkout: it is not in the wheel. The pins
come from ``requirements/runtime.txt``.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')
HERE = osp.dirname(osp.abspath(__file__))
# The research application (the main job, ablations, benchmarks, the docs'
# tables) reads and writes the checkout (its tests/data, README.md, docs/):
# it runs from a checkout and is not in the wheel, nor are its tools.
RESEARCH = ('tdmi_mmpose.experiments', 'tdmi_mmpose.experiments.*')


def research_tools(folder, names):
    """The tools of ``folder`` that run the research application (they
    import :mod:`tdmi_mmpose.experiments` or run the main job): left out of
    the wheel's ``.mim/tools``."""
    out = []
    for name in names:
        path = osp.join(folder, name)
        if name.endswith('.py') and osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if 'tdmi_mmpose.experiments' in text or "'main_job.py'" in text:
                out.append(name)
    return out


def link_mim_files():
    """Development install: ``tdmi_mmpose/.mim/{configs,tools,
    model-index.yml}`` link to the checkout's (nothing is copied, so nothing
    goes stale)."""
    mim_dir = osp.join(HERE, 'tdmi_mmpose', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        dst = osp.join(mim_dir, name)
        if osp.islink(dst):
            continue
        if osp.isdir(dst):
            shutil.rmtree(dst)
        elif osp.exists(dst):
            os.remove(dst)
        os.symlink(osp.join('..', '..', name), dst)


class BuildPyWithMim(build_py):
    """Copies ``configs/``, ``tools/`` and ``model-index.yml`` into the built
    package's ``.mim`` folder (the build folder, never the source tree), as
    mmpose's wheels carry them."""

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        for name in MIM_FILES:
            dst = osp.join(self.build_lib, 'tdmi_mmpose', '.mim', name)
            if osp.islink(dst) or osp.isfile(dst):
                os.remove(dst)
            elif osp.isdir(dst):
                shutil.rmtree(dst)
            src = osp.join(HERE, name)
            if osp.isdir(src):
                skip = shutil.ignore_patterns('__pycache__', '*.pyc')
                shutil.copytree(src, dst, ignore=lambda d, n: set(skip(
                    d, n)) | set(research_tools(d, n)))
            else:
                os.makedirs(osp.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)


def read_version():
    scope = {}
    with open(osp.join('tdmi_mmpose', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(name):
    """Requirement lines of ``requirements/<name>``, following ``-r``: the
    set-up script and ``pip install .`` read the same pins."""
    lines = []
    with open(osp.join(HERE, 'requirements', name)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line.startswith('-r'):
                lines += read_requirements(line[2:].strip())
            elif line:
                lines.append(line)
    return lines


if __name__ == '__main__':
    if any(cmd in sys.argv for cmd in ('develop', 'egg_info')):
        link_mim_files()
    setup(
        name='tdmi_mmpose',
        version=read_version(),
        description=('TDMI (CVPR 2023) video pose estimation, an mmpose '
                     'plugin'),
        long_description=open('README.md', encoding='utf-8').read(),
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        packages=find_packages(
            exclude=('tests', 'tests.*', 'configs', 'tools', *RESEARCH)),
        cmdclass={'build_py': BuildPyWithMim},
        python_requires='>=3.10',
        # mmcv (with ops), xtcocotools and chumpy must be built first
        # (requirements/compiled.txt; tools/env/setup_env.sh does it)
        install_requires=read_requirements('runtime.txt'),
        extras_require={'tests': read_requirements('tests.txt'),
                        'deploy': read_requirements('deploy.txt')},
        zip_safe=False)
