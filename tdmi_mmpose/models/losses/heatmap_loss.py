"""Heatmap loss L_H of TDMI (Sec. 3.3, Eq. 14)."""
from mmpose.models.losses import KeypointMSELoss
from mmpose.registry import MODELS


@MODELS.register_module()
class HeatmapL2Loss(KeypointMSELoss):
    """``L_H = ||H - G||_2^2`` (Eq. 14): the squared error summed over a
    person's ``K`` heatmaps and ``h x w`` positions, averaged over the
    batch (joints weighted as in :class:`KeypointMSELoss`).

    mmpose's :class:`KeypointMSELoss` averages over every element instead,
    which makes L_H ``K*h*w`` times smaller than Eq. 14 (13056 times for
    17 joints on 24x32 heatmaps) and so makes alpha = 1 in
    ``L_H + alpha * L_MI`` (Eq. 15) weigh the MI objective that much more
    than the paper does. The gradient direction of L_H alone is the same.

    Args:
        use_target_weight (bool): Weight joints by their target weight.
        skip_empty_channel (bool): Ignore heatmaps without any target.
        loss_weight (float): Weight of the loss. Default: 1.0.
    """

    def forward(self, output, target, target_weights=None, mask=None):
        """``(B, K, h, w)`` heatmaps and targets -> scalar L_H."""
        per_element = super().forward(output, target, target_weights, mask)
        return per_element * output[0].numel()
