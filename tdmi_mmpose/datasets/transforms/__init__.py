from .loading import LoadVideoFrames
from .topdown_transforms import RandomNeighbourCrop, VideoTopdownAffine

__all__ = ['LoadVideoFrames', 'RandomNeighbourCrop', 'VideoTopdownAffine']
