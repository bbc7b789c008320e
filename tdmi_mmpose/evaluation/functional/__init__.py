from .pose_tracking import (ALPHAS, MOTA_COUNTS, accumulate, hota_sequence,
                            joint_distances, keypoint_hota,
                            keypoint_similarity, mota_from_counts,
                            pose_tracking_mota)
from .posetrack_eval import evaluate_folder, group_means, tracking_sequence
from .posetrack_files import (MAX_TRACK_ID, prediction_file, read_json,
                              read_predictions, unique_ids,
                              write_predictions, write_video_predictions)

__all__ = [
    'ALPHAS', 'MOTA_COUNTS', 'accumulate', 'hota_sequence',
    'joint_distances', 'keypoint_hota', 'keypoint_similarity',
    'mota_from_counts',
    'pose_tracking_mota', 'evaluate_folder', 'group_means',
    'tracking_sequence', 'MAX_TRACK_ID', 'prediction_file', 'read_json',
    'read_predictions', 'unique_ids', 'write_predictions',
    'write_video_predictions'
]
