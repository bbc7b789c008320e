"""Packaging for tdmi_mmpose, an mmpose 1.x plugin.

Like mmpose, the package carries its configs and tools in ``tdmi_mmpose/.mim``
so that ``mim train tdmi_mmpose <config>`` and ``mim test`` find them: an
editable install links them, a regular build copies them.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

MIM_FILES = ('configs', 'tools')


def add_mim_extension():
    """Link (editable install) or copy (wheel/sdist) configs and tools."""
    if any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'install')):
        mode = 'copy'
    elif any(cmd in sys.argv
             for cmd in ('develop', 'editable_wheel', 'egg_info')):
        mode = 'symlink'
    else:
        return
    here = osp.dirname(osp.abspath(__file__))
    mim_dir = osp.join(here, 'tdmi_mmpose', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(here, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        else:
            shutil.copytree(src, dst)


def read_version():
    scope = {}
    with open(osp.join('tdmi_mmpose', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(name):
    """Requirement lines of ``requirements/<name>`` (no -r, no comments)."""
    lines = []
    with open(osp.join('requirements', name)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line and not line.startswith('-r'):
                lines.append(line)
    return lines


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='tdmi_mmpose',
        version=read_version(),
        description=('TDMI (CVPR 2023) video pose estimation, an mmpose '
                     'plugin'),
        long_description=open('README.md', encoding='utf-8').read(),
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        packages=find_packages(
            exclude=('tests', 'tests.*', 'configs', 'tools')),
        include_package_data=True,
        package_data={
            'tdmi_mmpose': ['.mim/configs/**/*', '.mim/tools/**/*']
        },
        python_requires='>=3.10',
        # torch, mmcv and xtcocotools need the build steps of
        # tools/env/setup_env.sh; the pure-python pins are declared here.
        install_requires=[
            'mmengine==0.10.7', 'mmdet==3.3.0', 'mmpose==1.3.2',
            'mmcv==2.1.0', 'xtcocotools', 'numpy'
        ],
        extras_require={'tests': read_requirements('tests.txt')},
        zip_safe=False)
