"""PoseTrack21's multi-person pose tracking keypoint HOTA as an mmengine
metric."""
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from ..functional.keypoint_hota import keypoint_hota
from ..functional.posetrack_gt import POSETRACK15, group_means
from .posetrack_mota import PoseTrackMOTAMetric


@METRICS.register_module()
class PoseTrackHOTAMetric(PoseTrackMOTAMetric):
    """PoseTrack21's multi-person pose tracking keypoint HOTA, DetA, AssA,
    FragA, FA-HOTA and LocA (:func:`keypoint_hota`: HOTA with the keypoint
    similarity ``max(1 - d / 0.5001, 0)``, every labelled frame), per
    joint group and their mean over the 15 joints.

    Args: as :class:`PoseTrackMOTAMetric` (``skip_last`` is not used:
        PoseTrack21 evaluates every labelled frame). Default prefix:
        ``posetrack_hota``.
    """
    default_prefix = 'posetrack_hota'

    def compute_metrics(self, results):
        out = keypoint_hota(self.sequences(results), len(POSETRACK15))
        metrics = {f'HOTA/{k}': 100 * v for k, v in
                   group_means(out['HOTA']).items()}
        metrics.update({k: 100 * v for k, v in out['total'].items()})
        MMLogger.get_current_instance().info(
            'PoseTrack21 keypoint HOTA %.1f, DetA %.1f, AssA %.1f, FA-HOTA '
            '%.1f, LocA %.1f', metrics['HOTA'], metrics['DetA'],
            metrics['AssA'], metrics['FA-HOTA'], metrics['LocA'])
        return metrics
