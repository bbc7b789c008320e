from .posetrack_clip import (HiEveClipDataset, PoseTrack17ClipDataset,
                             PoseTrack18ClipDataset,
                             PoseTrack21ClipDataset, PoseTrackClipDataset,
                             neighbour_frame_paths)
from .unlabelled_video import UnlabelledVideoDataset, list_videos

__all__ = [
    'PoseTrackClipDataset', 'PoseTrack17ClipDataset',
    'PoseTrack18ClipDataset', 'PoseTrack21ClipDataset', 'HiEveClipDataset',
    'UnlabelledVideoDataset', 'list_videos', 'neighbour_frame_paths'
]
