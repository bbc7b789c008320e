from .posetrack_map import PoseTrackMAPMetric
from .posetrack_mota import PoseTrackHOTAMetric, PoseTrackMOTAMetric

__all__ = ['PoseTrackMAPMetric', 'PoseTrackMOTAMetric', 'PoseTrackHOTAMetric']
