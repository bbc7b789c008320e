from .checkpoint import allow_openmmlab_checkpoints

__all__ = ['allow_openmmlab_checkpoints']
