"""Packaging: the wheel carries configs, tools and mim metadata, declares
the pins of requirements/, installs, and the environment is consistent."""
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

from conftest import ROOT

PY = sys.executable
SKIP = shutil.ignore_patterns('.git', '.venv', 'work_dirs', 'data', 'build',
                              'dist', '*.egg-info', '.mim', '__pycache__',
                              '.pytest_cache')


def pip(*args, **kwargs):
    proc = subprocess.run([PY, '-m', 'pip', '--disable-pip-version-check',
                           *map(str, args)], text=True, capture_output=True,
                          timeout=600, **kwargs)
    return proc.returncode, proc.stdout + proc.stderr


def requirements(name):
    """Pins of requirements/<name>, following -r (what setup.py declares)."""
    pins = []
    with open(osp.join(ROOT, 'requirements', name)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line.startswith('-r'):
                pins += requirements(line[2:].strip())
            elif line:
                pins.append(line)
    return pins


def test_wheel_holds_configs_tools_and_metadata_and_installs(tmp_path):
    src = tmp_path / 'src'
    shutil.copytree(ROOT, src, ignore=SKIP, symlinks=True)
    rc, out = pip('wheel', '--no-deps', '--no-build-isolation', '-w',
                  tmp_path / 'dist', src)
    assert rc == 0, out[-3000:]
    (wheel, ) = (tmp_path / 'dist').glob('tdmi_mmpose-*.whl')
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        (meta, ) = [n for n in names if n.endswith('.dist-info/METADATA')]
        declared = [line.split(':', 1)[1].strip() for line in
                    z.read(meta).decode().splitlines()
                    if line.startswith('Requires-Dist:') and 'extra ==' not
                    in line]
    configs = {osp.relpath(osp.join(d, f), ROOT)
               for d, _, files in os.walk(osp.join(ROOT, 'configs'))
               for f in files if f.endswith(('.py', '.yml'))}
    tools = {osp.relpath(osp.join(d, f), ROOT)
             for top in ('tools', 'demo')
             for d, _, files in os.walk(osp.join(ROOT, top))
             for f in files if f.endswith(('.py', '.sh'))}
    research = {t for t in tools if t.endswith('.py') and (
        'tdmi_mmpose.experiments' in open(osp.join(ROOT, t)).read()
        or "'main_job.py'" in open(osp.join(ROOT, t)).read())}
    assert {'tools/main_job.py', 'tools/demo.py',
            'tools/analysis/ablation.py'} <= research
    for path in configs | (tools - research) | {'model-index.yml'}:
        assert f'tdmi_mmpose/.mim/{path}' in names, path
    # the research application runs from a checkout: not in the wheel
    for path in research:
        assert f'tdmi_mmpose/.mim/{path}' not in names, path
    assert not [n for n in names
                if n.startswith('tdmi_mmpose/experiments')]
    assert 'tdmi_mmpose/.mim/tools/train.py' in names
    assert 'tdmi_mmpose/.mim/demo/video_demo.py' in names  # as mmpose's
    # one source of pins: the wheel declares requirements/runtime.txt
    from packaging.requirements import Requirement

    def pins(lines):
        return sorted((r.name.lower(), r.specifier) for r in map(
            Requirement, lines))
    assert pins(declared) == pins(requirements('runtime.txt'))
    # the source tree was not changed by the build
    assert not osp.exists(src / 'tdmi_mmpose' / '.mim' / 'configs') or \
        osp.islink(src / 'tdmi_mmpose' / '.mim' / 'configs')
    assert osp.islink(osp.join(ROOT, 'tdmi_mmpose', '.mim', 'configs'))
    # installs with --no-deps, and the installed copy finds its configs
    rc, out = pip('install', '--no-deps', '--target', tmp_path / 'site',
                  wheel)
    assert rc == 0, out[-3000:]
    proc = subprocess.run(
        [PY, '-c', 'import os.path as osp, tdmi_mmpose; '
         'd = osp.dirname(tdmi_mmpose.__file__); print(d); '
         'print(osp.isfile(osp.join(d, ".mim", "configs", "tdmi", '
         '"tdmi_hrnet-w48_posetrack17-384x288.py")))'],
        env=dict(os.environ, PYTHONPATH=str(tmp_path / 'site')),
        cwd=tmp_path, text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    where, found = proc.stdout.split()[-2:]
    assert where.startswith(str(tmp_path / 'site')) and found == 'True'


def test_pip_check_names_only_the_documented_conflict():
    """openmim's opendatalab (used only by `mim download --dataset`) is the
    one conflict left; the installation guide names it."""
    rc, out = pip('check')
    problems = [line for line in out.splitlines() if line.strip()]
    assert problems == ['openmim 0.3.9 requires opendatalab, which is not '
                        'installed.'], out
    with open(osp.join(ROOT, 'docs', 'en', 'installation.md')) as f:
        assert 'openmim 0.3.9 requires opendatalab' in f.read()


def test_mim_lists_the_package_and_searches_its_configs_offline():
    mim = shutil.which('mim', path=osp.dirname(PY))
    env = dict(os.environ, PIP_NO_INDEX='1')
    listed = subprocess.run([mim, 'list'], text=True, capture_output=True,
                            timeout=300, env=env)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert any(line.split()[:1] == ['tdmi-mmpose']
               for line in listed.stdout.splitlines()), listed.stdout
    found = subprocess.run([mim, 'search', 'tdmi_mmpose'], text=True,
                           capture_output=True, timeout=300, env=env)
    assert found.returncode == 0, found.stderr[-2000:]
    for config in ('tdmi_hrnet-w48_posetrack17-384x288',
                   'tdmi-st_hrnet-w48_posetrack18-384x288',
                   'tdmi_hrnet-w8_synthetic-videos-128x96'):
        assert f'config id: {config}\n' in found.stdout, config
