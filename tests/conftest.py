import os
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA = osp.join(ROOT, 'tests', 'data')
SAMPLE = osp.join(DATA, 'posetrack18_sample')
TINY_CFG = osp.join(ROOT, 'configs', 'tdmi', 'tiny',
                    'tdmi_hrnet-w8-tiny_posetrack18-sample-128x96.py')


@pytest.fixture(autouse=True, scope='session')
def _repo_root():
    """Configs name data relative to the repository root, as the README's
    commands run there."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    import tdmi_mmpose  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    yield
    os.chdir(cwd)
