from .degradation import DegradeKeyFrame
from .loading import LoadVideoFrames
from .topdown_transforms import RandomNeighbourCrop, VideoTopdownAffine

__all__ = ['DegradeKeyFrame', 'LoadVideoFrames', 'RandomNeighbourCrop',
           'VideoTopdownAffine']
