from .hooks import VideoPoseVisualizationHook

__all__ = ['VideoPoseVisualizationHook']
