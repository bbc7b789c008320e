from .checkpoint import load_checkpoint_safely, use_safe_checkpoint_loading

__all__ = ['load_checkpoint_safely', 'use_safe_checkpoint_loading']
