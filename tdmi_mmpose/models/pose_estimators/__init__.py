from .video_topdown import VideoTopdownPoseEstimator
from .warm_start import WarmStartInit, warm_start

__all__ = ['VideoTopdownPoseEstimator', 'WarmStartInit', 'warm_start']
