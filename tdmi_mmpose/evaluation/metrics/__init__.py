from .posetrack_map import PoseTrackMAPMetric, average_precision, match_frame

__all__ = ['PoseTrackMAPMetric', 'average_precision', 'match_frame']
