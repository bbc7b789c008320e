from .video_topdown import VideoTopdownPoseEstimator

__all__ = ['VideoTopdownPoseEstimator']
