"""tdmi_mmpose: TDMI (CVPR 2023) video pose estimation as an mmpose plugin.

Importing the package registers its models, datasets, transforms and
metrics in mmpose's registries (configs pull it in with ``custom_imports``)
and lets OpenMMLab checkpoints load under torch's safe loading.
"""
from .utils import allow_openmmlab_checkpoints
from .version import __version__  # noqa: F401

allow_openmmlab_checkpoints()

from . import models  # noqa: E402,F401
from . import datasets  # noqa: E402,F401
from . import evaluation  # noqa: E402,F401
from . import apis  # noqa: E402,F401
