from ...utils.boxes import boxes_from_json
from .feature_reuse import FeatureReuse, crop_distance, warp_to_crop
from .mmpose_inferencer import MMPoseInferencer
from .smoothing import OneEuroFilter, TrackSmoother, WindowFilter
from .tracking import greedy_track
from .video_pose_inferencer import VideoPoseInferencer, bytetrack

__all__ = [
    'VideoPoseInferencer', 'MMPoseInferencer', 'FeatureReuse',
    'boxes_from_json', 'bytetrack', 'crop_distance', 'warp_to_crop',
    'OneEuroFilter', 'TrackSmoother', 'WindowFilter', 'greedy_track'
]
