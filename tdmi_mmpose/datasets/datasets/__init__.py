from .posetrack_clip import (HiEveClipDataset, PoseTrack17ClipDataset,
                              PoseTrack18ClipDataset,
                              PoseTrack21ClipDataset, PoseTrackClipDataset,
                              neighbour_frame_paths)

__all__ = [
    'PoseTrackClipDataset', 'PoseTrack17ClipDataset',
    'PoseTrack18ClipDataset', 'PoseTrack21ClipDataset', 'HiEveClipDataset',
    'neighbour_frame_paths'
]
