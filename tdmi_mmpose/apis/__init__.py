from .inference import inference_video_topdown

__all__ = ['inference_video_topdown']
