from .keypoint_hota import (ALPHAS, hota_sequence, keypoint_hota,
                            keypoint_similarity)
from .posetrack_ap import (ap_table, average_precision, format_table,
                           frame_predictions, match_frame, posetrack_ap)
from .posetrack_eval import evaluate_folder, tracking_sequence
from .posetrack_files import (MAX_TRACK_ID, prediction_file, read_json,
                              read_predictions, unique_ids,
                              write_predictions, write_video_predictions)
from .posetrack_gt import (JOINT_GROUPS, POSETRACK15, check_ground_truth,
                           group_means, inside_any, load_ground_truth,
                           parse_ground_truth)
from .posetrack_mota import (MOTA_COUNTS, accumulate, joint_distances,
                             mota_from_counts, pose_tracking_mota)

__all__ = [
    'ALPHAS', 'hota_sequence', 'keypoint_hota', 'keypoint_similarity',
    'ap_table', 'average_precision', 'format_table', 'frame_predictions',
    'match_frame', 'posetrack_ap', 'evaluate_folder', 'tracking_sequence',
    'MAX_TRACK_ID', 'prediction_file', 'read_json', 'read_predictions',
    'unique_ids', 'write_predictions', 'write_video_predictions',
    'JOINT_GROUPS', 'POSETRACK15', 'check_ground_truth', 'group_means',
    'inside_any', 'load_ground_truth', 'parse_ground_truth', 'MOTA_COUNTS',
    'accumulate', 'joint_distances', 'mota_from_counts', 'pose_tracking_mota'
]
