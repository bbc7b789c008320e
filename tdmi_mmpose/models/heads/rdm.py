"""Representation Disentanglement Module (RDM), TDMI Sec. 3.2, Eq. 6."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpose.registry import MODELS


@MODELS.register_module()
class RDM(BaseModule):
    """Factorises the motion feature ``M`` into a useful part ``M_u`` and a
    noisy part ``M_n`` (Eq. 6)::

        M_u = sigmoid(MLP_u(GAP(M))) * M
        M_n = sigmoid(MLP_n(GAP(M))) * M

    with independent MLPs ``C -> hidden -> C``.

    Args:
        channels (int): Channels C of ``M``. Default: 48.
        hidden_channels (int): Hidden width of the MLPs (paper silent;
            128 as in the authors' earlier public code). Default: 128.
        mode (str): ``'attention'`` (Eq. 6); ``'split'``: the first half of
            the channels is ``M_u`` and the second half ``M_n``, the other
            half zeroed (Table 7 (c)); ``'identity'``: ``M_u = M_n = M``,
            i.e. no disentanglement (Table 5, TDE only).
        init_cfg (dict, optional): Initialisation config.
    """

    MODES = ('attention', 'split', 'identity')

    def __init__(self, channels=48, hidden_channels=128, mode='attention',
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if mode not in self.MODES:
            raise ValueError(f'RDM mode must be one of {self.MODES}, '
                             f'got {mode!r}')
        self.mode = mode
        if mode == 'attention':
            self.mlp_u = self._mlp(channels, hidden_channels)
            self.mlp_n = self._mlp(channels, hidden_channels)
        elif mode == 'split':
            mask = torch.zeros(channels)
            mask[:channels // 2] = 1
            self.register_buffer('split_mask', mask.view(1, -1, 1, 1),
                                 persistent=False)

    @staticmethod
    def _mlp(channels, hidden_channels):
        return nn.Sequential(
            nn.Linear(channels, hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, channels))

    def forward(self, motion):
        """``M`` ``(B, C, h, w)`` -> ``(M_u, M_n)``, each ``(B, C, h, w)``."""
        if self.mode == 'identity':
            return motion, motion
        if self.mode == 'split':
            return motion * self.split_mask, motion * (1 - self.split_mask)
        gap = motion.mean(dim=(2, 3))  # (B, C)
        mask_u = torch.sigmoid(self.mlp_u(gap))[..., None, None]
        mask_n = torch.sigmoid(self.mlp_n(gap))[..., None, None]
        return mask_u * motion, mask_n * motion
