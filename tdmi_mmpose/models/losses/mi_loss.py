"""Mutual-information objective of TDMI (Sec. 3.2, Eq. 7-13)."""
import math

import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS


def label_distribution(logits, tau=1.0, eps=1e-6):
    """``q(y|a)``: each keypoint's heatmap read from a representation ``a``
    by the detection head, as a distribution over positions.

    Each map is standardised over its positions (zero mean, unit standard
    deviation) before ``softmax(x / tau)``. The head is linear up to a
    per-map bias, so the distribution does not change when ``a`` is
    multiplied by a positive factor: a term built on it cannot be moved by
    rescaling a feature.

    Args:
        logits (Tensor): ``(B, K, h, w)`` heatmaps predicted from ``a``.
        tau (float): Softmax temperature on the standardised maps.
        eps (float): Added to the standard deviation.

    Returns:
        Tensor: ``(B, K, h*w)`` log-probabilities.
    """
    x = logits.flatten(2)
    x = (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + eps)
    return F.log_softmax(x / tau, dim=-1)


def js_divergence(log_p, log_q):
    """Jensen-Shannon divergence between distributions given as
    log-probabilities ``(B, K, N)`` over the last axis, averaged over
    ``B`` and ``K``. Symmetric, in ``[0, log 2]``, zero iff ``P == Q``."""
    log_m = (0.5 * (log_p.exp() + log_q.exp())).clamp_min(1e-12).log()
    kl_pm = F.kl_div(log_m, log_p, reduction='none', log_target=True)
    kl_qm = F.kl_div(log_m, log_q, reduction='none', log_target=True)
    return 0.5 * (kl_pm + kl_qm).sum(-1).mean()


@MODELS.register_module()
class MutualInformationLoss(nn.Module):
    """L_MI of Eq. 13 with Variational Self-Distillation (VSD, the paper's
    ref. [46]) estimates of every term:

    ``L_MI = I(M_u;M_n) - I(M;M_u) + I(M_u;y|F~) + I(F;y|F~)``

    VSD replaces mutual information, which cannot be computed for
    high-dimensional features, by what each representation tells about the
    label: a representation ``a`` is read by the shared detection head into
    ``q(y|a)`` (:func:`label_distribution`), and two representations share
    information to the extent that they predict the same label
    distribution. The divergence is the Jensen-Shannon divergence ``JS``
    (VSD's mutual-learning form), so every estimate lies in ``[0, log 2]``:

    * Eq. 8, ``loss_mi_un = I(M_u;M_n) ~= log 2 - JS(q(y|M_u), q(y|M_n))``,
      minimised: the two parts must predict different things. Bounded, and
      unlike a KL between raw feature maps it cannot be raised by
      sharpening or rescaling ``M_u`` or ``M_n``.
    * Eq. 9, ``loss_mi_mu = -I(M;M_u) ~= JS(q(y|M), q(y|M_u)) - log 2``,
      minimised, i.e. ``I(M;M_u)`` maximised.
    * Eq. 11-12, ``I(a;y|F~) ~= I(a;y) - I(a;F~)``: the label information in
      ``a`` that ``F~`` does not hold, which VSD bounds by the divergence of
      ``q(y|a)`` from ``q(y|F~)``: ``loss_mi_uy = JS(q(y|M_u), q(y|F~))``
      and ``loss_mi_fy = JS(q(y|F), q(y|F~))``. Which side of these two
      divergences learns is the ``distill`` option (the paper does not
      say): ``'parts'`` (default) makes ``q(y|F~)``, the prediction trained
      by L_H, the teacher (stop-gradient, self-distillation), so the terms
      pull ``M_u`` and ``F`` toward it and cannot pull the final prediction
      away from the label; ``'enhanced'`` makes ``M_u`` and ``F`` the
      teachers and pulls ``F~`` toward what they tell (the reading of
      Sec. 3.2 that their task-relevant information should flow into
      ``F~``); ``'both'`` lets the gradient reach both sides.

    The readouts use the detection head with its parameters detached
    (:class:`TDMIHead`): L_MI shapes the representations, the head is
    fitted by L_H alone. Every returned term carries its sign and its
    weight ``loss_weight * term_weight``, so the logged values add up to
    L_MI, which lies in ``[-log 2, 3 log 2]`` times alpha.

    Args:
        tau (float): Temperature of :func:`label_distribution`. Default: 1.
        loss_weight (float): alpha of Eq. 15. Default: 1.0 (Sec. 4.1).
        term_weights (dict): Weights of the terms ``un``, ``mu``, ``uy``,
            ``fy``; 0 removes a term (Table 7-style ablations). Default:
            all 1.
        distill (str): Which side of the ``uy``/``fy`` divergences learns:
            ``'parts'`` (M_u and F, toward the detached F~), ``'enhanced'``
            (F~, toward the detached M_u and F) or ``'both'``. Default:
            ``'parts'``.
    """

    TERMS = ('un', 'mu', 'uy', 'fy')
    BOUND = math.log(2)
    DISTILL = ('parts', 'enhanced', 'both')

    def __init__(self, tau=1.0, loss_weight=1.0, term_weights=None,
                 distill='parts'):
        super().__init__()
        if distill not in self.DISTILL:
            raise ValueError(f'distill must be one of {self.DISTILL}, got '
                             f'{distill!r}')
        self.distill = distill
        self.tau = tau
        self.loss_weight = loss_weight
        self.term_weights = {t: 1.0 for t in self.TERMS}
        unknown = set(term_weights or {}) - set(self.TERMS)
        if unknown:
            raise KeyError(f'unknown MI terms {sorted(unknown)}; '
                           f'expected a subset of {self.TERMS}')
        self.term_weights.update(term_weights or {})

    def forward(self, motion, useful, noisy, visual, enhanced):
        """Each argument is the detection head's readout ``(B, K, h, w)``
        of one representation.

        Args:
            motion (Tensor): from ``M``.
            useful (Tensor): from ``M_u``.
            noisy (Tensor): from ``M_n``.
            visual (Tensor): from ``F`` (the key frame's ``F^4``; TDMI-ST:
                the spatiotemporal feature).
            enhanced (Tensor): from ``F~``: the predicted heatmaps.

        Returns:
            dict[str, Tensor]: ``loss_mi_un``, ``loss_mi_mu``,
            ``loss_mi_uy``, ``loss_mi_fy``, signed and weighted.
        """
        q = {name: label_distribution(x, self.tau) for name, x in dict(
            motion=motion, useful=useful, noisy=noisy,
            visual=visual).items()}
        target = label_distribution(
            enhanced.detach() if self.distill == 'parts' else enhanced,
            self.tau)

        def part(name):
            return q[name].detach() if self.distill == 'enhanced' else q[
                name]

        terms = dict(
            un=self.BOUND - js_divergence(q['useful'], q['noisy']),
            mu=js_divergence(q['motion'], q['useful']) - self.BOUND,
            uy=js_divergence(part('useful'), target),
            fy=js_divergence(part('visual'), target))
        return {
            f'loss_mi_{name}':
            self.loss_weight * self.term_weights[name] * value
            for name, value in terms.items()
        }
