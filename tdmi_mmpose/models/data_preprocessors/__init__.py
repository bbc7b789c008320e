from .video_preprocessor import VideoPoseDataPreprocessor

__all__ = ['VideoPoseDataPreprocessor']
