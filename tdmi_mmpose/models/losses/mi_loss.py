"""Mutual-information objective of TDMI (Sec. 3.2, Eq. 7-13)."""
import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS


def spatial_kl(p, q, tau=0.05):
    """KL(P || Q) between per-channel spatial distributions.

    Each channel of a feature map becomes a distribution over positions,
    ``softmax(x / tau)`` (Variational Self-Distillation, as in FAMI-Pose).
    The KL is computed from log-probabilities, summed over the positions
    (a true KL per channel) and averaged over batch and channels, so it does
    not shrink with the map size.

    Args:
        p (Tensor): ``(B, C, h, w)`` logits of P.
        q (Tensor): ``(B, C, h, w)`` logits of Q.
        tau (float): Softmax temperature.

    Returns:
        Tensor: scalar, >= 0, zero iff P == Q.
    """
    if p.shape != q.shape:
        raise ValueError(f'spatial_kl needs equal shapes, got '
                         f'{tuple(p.shape)} and {tuple(q.shape)}')
    log_p = F.log_softmax(p.flatten(2) / tau, dim=-1)
    log_q = F.log_softmax(q.flatten(2) / tau, dim=-1)
    kl = F.kl_div(log_q, log_p, reduction='none', log_target=True)
    return kl.sum(-1).mean()


@MODELS.register_module()
class MutualInformationLoss(nn.Module):
    """L_MI of Eq. 13, each term estimated with Variational
    Self-Distillation (VSD):

    ``L_MI = I(M_u;M_n) - I(M;M_u) + I(M_u;y|F~) + I(F;y|F~)``

    * ``I(a;b)`` between two representations is estimated, up to a
      constant, by ``-KL(P_a || P_b)`` of their spatial distributions
      (:func:`spatial_kl`): identical distributions share the most
      information. So ``loss_mi_un = -min(KL(M_u||M_n), un_kl_max)`` (Eq. 8,
      minimised; the clamp, a choice made here, keeps this only unbounded
      term from diverging) and ``loss_mi_mu = +KL(M || M_u)`` (Eq. 9,
      maximised).
    * ``I(a;y|F~) ~= I(a;y) - I(a;F~)`` (Eq. 11-12) is, with VSD, the
      information about the label ``y`` that ``a`` carries and ``F~``
      loses: ``KL(q(y|a) || q(y|F~))`` between the heatmaps predicted from
      ``a`` and from ``F~`` by the shared detection head.
      ``loss_mi_uy`` uses ``a = M_u``, ``loss_mi_fy`` uses ``a = F^4``.

    Every returned term already carries its sign and its weight
    ``loss_weight * term_weight``, so the logged values add up to L_MI.

    Args:
        tau (float): Temperature of the spatial softmax. Default: 0.05.
        loss_weight (float): alpha of Eq. 15. Default: 1.0 (Sec. 4.1).
        term_weights (dict): Weights of the terms ``un``, ``mu``, ``uy``,
            ``fy``. Default: all 1.
        un_kl_max (float | None): Clamp of KL(M_u||M_n). Default: 10.
        detach_target (bool): Stop the gradient through ``q(y|F~)`` in the
            label terms (paper silent; default False: both sides learn).
    """

    TERMS = ('un', 'mu', 'uy', 'fy')

    def __init__(self,
                 tau=0.05,
                 loss_weight=1.0,
                 term_weights=None,
                 un_kl_max=10.0,
                 detach_target=False):
        super().__init__()
        self.tau = tau
        self.loss_weight = loss_weight
        self.term_weights = {t: 1.0 for t in self.TERMS}
        unknown = set(term_weights or {}) - set(self.TERMS)
        if unknown:
            raise KeyError(f'unknown MI terms {sorted(unknown)}; '
                           f'expected a subset of {self.TERMS}')
        self.term_weights.update(term_weights or {})
        self.un_kl_max = un_kl_max
        self.detach_target = detach_target

    def forward(self, motion, useful, noisy, heatmaps_useful,
                heatmaps_visual, heatmaps):
        """Args:
            motion (Tensor): ``M``, ``(B, C, h, w)``.
            useful (Tensor): ``M_u``, ``(B, C, h, w)``.
            noisy (Tensor): ``M_n``, ``(B, C, h, w)``.
            heatmaps_useful (Tensor): ``q(y|M_u)``, ``(B, K, h, w)``.
            heatmaps_visual (Tensor): ``q(y|F^4)`` from the key frame's
                visual feature (TDMI-ST: the spatiotemporal one).
            heatmaps (Tensor): ``q(y|F~)``, the predicted heatmaps.

        Returns:
            dict[str, Tensor]: ``loss_mi_un``, ``loss_mi_mu``,
            ``loss_mi_uy``, ``loss_mi_fy``, signed and weighted.
        """
        target = heatmaps.detach() if self.detach_target else heatmaps
        kl_un = spatial_kl(useful, noisy, self.tau)
        if self.un_kl_max is not None:
            kl_un = kl_un.clamp(max=self.un_kl_max)
        terms = dict(
            un=-kl_un,
            mu=spatial_kl(motion, useful, self.tau),
            uy=spatial_kl(heatmaps_useful, target, self.tau),
            fy=spatial_kl(heatmaps_visual, target, self.tau))
        return {
            f'loss_mi_{name}':
            self.loss_weight * self.term_weights[name] * value
            for name, value in terms.items()
        }
