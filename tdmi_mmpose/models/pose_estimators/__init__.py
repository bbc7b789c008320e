from .video_adapter import VideoTopdownAdapter
from .video_topdown import VideoTopdownPoseEstimator
from .warm_start import WarmStartInit, warm_start

__all__ = ['VideoTopdownAdapter', 'VideoTopdownPoseEstimator',
           'WarmStartInit', 'warm_start']
