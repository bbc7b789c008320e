from .posetrack_hota import PoseTrackHOTAMetric
from .posetrack_map import PoseTrackMAPMetric
from .posetrack_mota import PoseTrackMOTAMetric

__all__ = ['PoseTrackMAPMetric', 'PoseTrackMOTAMetric', 'PoseTrackHOTAMetric']
