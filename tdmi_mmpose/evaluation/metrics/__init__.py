from .posetrack_map import PoseTrackMAPMetric, average_precision, match_frame
from .posetrack_mota import PoseTrackHOTAMetric, PoseTrackMOTAMetric

__all__ = [
    'PoseTrackMAPMetric', 'PoseTrackMOTAMetric', 'PoseTrackHOTAMetric',
    'average_precision', 'match_frame'
]
