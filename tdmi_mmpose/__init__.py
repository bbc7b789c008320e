"""tdmi_mmpose: TDMI video pose estimation as an mmpose 1.x plugin."""
from .version import __version__  # noqa: F401
