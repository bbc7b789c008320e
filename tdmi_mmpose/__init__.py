"""tdmi_mmpose: TDMI (CVPR 2023) video pose estimation as an mmpose plugin.

Importing the package registers its models, datasets, transforms and
metrics in mmpose's registries (configs pull it in with ``custom_imports``)
and makes mmengine load checkpoints through
:func:`tdmi_mmpose.utils.load_checkpoint_safely` (torch's safe loading with
OpenMMLab's numpy meta allowed through checks).
"""
from .utils import use_safe_checkpoint_loading
from .version import __version__  # noqa: F401

use_safe_checkpoint_loading()

from . import models  # noqa: E402,F401
from . import datasets  # noqa: E402,F401
from . import evaluation  # noqa: E402,F401
from . import engine  # noqa: E402,F401
from . import apis  # noqa: E402,F401
