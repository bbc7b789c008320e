"""tdmi_mmpose: TDMI (CVPR 2023) video pose estimation as an mmpose plugin.

Importing the package registers its models, datasets, transforms and
metrics in mmpose's registries (configs pull it in with ``custom_imports``)
and makes mmengine load checkpoints through
:func:`tdmi_mmpose.utils.load_checkpoint_safely` (torch's safe loading with
OpenMMLab's numpy meta allowed through checks).
"""
import warnings

# mmengine 0.10.7 imports pkg_resources, which needs setuptools < 81 (the
# pin in requirements/runtime.txt); the deprecation warning it prints on
# every import asks for what this stack cannot do yet
warnings.filterwarnings('ignore', message='pkg_resources is deprecated',
                        category=UserWarning)

from .utils import use_safe_checkpoint_loading  # noqa: E402
from .version import __version__  # noqa: F401

use_safe_checkpoint_loading()

from . import models  # noqa: E402,F401
from . import datasets  # noqa: E402,F401
from . import evaluation  # noqa: E402,F401
from . import engine  # noqa: E402,F401
from . import apis  # noqa: E402,F401
