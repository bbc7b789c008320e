from .video_pose_inferencer import (VideoPoseInferencer, boxes_from_json,
                                    bytetrack)

__all__ = ['VideoPoseInferencer', 'boxes_from_json', 'bytetrack']
