from .checkpoint import load_checkpoint_safely, use_safe_checkpoint_loading
from .dist import setup_cpu_distributed

__all__ = [
    'load_checkpoint_safely', 'use_safe_checkpoint_loading',
    'setup_cpu_distributed'
]
