"""Helpers of the video inferencer that are not inferencers, where mmpose
keeps its own (``mmpose.apis.inferencers.utils``): feature reuse between
clips, the person tracker, track smoothing."""
from .feature_reuse import FeatureReuse, crop_distance, warp_to_crop
from .person_tracker import PersonTracker, bytetrack, greedy_track
from .smoothing import (OneEuroFilter, TrackSmoother, WindowFilter,
                        smoother_config)

__all__ = [
    'FeatureReuse', 'crop_distance', 'warp_to_crop', 'PersonTracker',
    'bytetrack', 'greedy_track', 'OneEuroFilter', 'TrackSmoother',
    'WindowFilter', 'smoother_config'
]
