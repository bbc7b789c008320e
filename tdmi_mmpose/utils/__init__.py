from .checkpoint import (CheckpointError, load_checkpoint_safely,
                         use_safe_checkpoint_loading)
from .dist import setup_cpu_distributed

__all__ = [
    'CheckpointError', 'load_checkpoint_safely',
    'use_safe_checkpoint_loading', 'setup_cpu_distributed'
]
