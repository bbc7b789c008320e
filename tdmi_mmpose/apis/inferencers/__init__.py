from ...utils.boxes import boxes_from_json
from .mmpose_inferencer import MMPoseInferencer
from .utils import (FeatureReuse, OneEuroFilter, TrackSmoother, WindowFilter,
                    bytetrack, crop_distance, greedy_track, warp_to_crop)
from .video_pose_inferencer import VideoPoseInferencer

__all__ = [
    'VideoPoseInferencer', 'MMPoseInferencer', 'FeatureReuse',
    'boxes_from_json', 'bytetrack', 'crop_distance', 'warp_to_crop',
    'OneEuroFilter', 'TrackSmoother', 'WindowFilter', 'greedy_track'
]
