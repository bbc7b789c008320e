from .inference import inference_video_topdown
from .inferencers import MMPoseInferencer, VideoPoseInferencer

__all__ = ['inference_video_topdown', 'MMPoseInferencer',
           'VideoPoseInferencer']
