from .video_visualization_hook import VideoPoseVisualizationHook

__all__ = ['VideoPoseVisualizationHook']
