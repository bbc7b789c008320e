from .inference import inference_video_topdown
from .inferencers import VideoPoseInferencer

__all__ = ['inference_video_topdown', 'VideoPoseInferencer']
