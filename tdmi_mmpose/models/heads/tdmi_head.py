"""TDMI heatmap head: RDM, feature enhancement and detection head."""
import torch
import torch.nn.functional as F
from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads import HeatmapHead
from mmpose.registry import MODELS
from mmpose.utils.tensor_utils import to_numpy

from ..utils import (WarmStartError, pass_through_state, residual_blocks,
                     tensor_shape)


def at_least_float32(x):
    """``x`` in float32 when it is half precision (bf16/fp16 under
    autocast), unchanged otherwise: losses, numpy conversion (the accuracy,
    decoding) and the MI estimates run in float32."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


@MODELS.register_module()
class TDMIHead(HeatmapHead):
    """Sec. 3.2-3.3: ``RDM(M) -> M_u``; ``F~ = ResBlocks([M_u, F])``;
    ``H = Conv3x3(F~)``; loss ``L_H + alpha * L_MI`` (Eq. 14-15).

    Takes the output of :class:`TDE`: the motion feature ``M``
    ``(B, Cm, h, w)`` and the visual features ``F^4`` of all frames
    ``(B, T, C, h, w)`` in temporal order; the key frame is the centre one.

    Args:
        in_channels (int): Channels C of ``F^4`` and of ``F~``.
        out_channels (int): Number of keypoints K.
        motion_channels (int): Channels Cm of ``M``. Default: 48.
        num_frames (int): T. Default: 5.
        visual (str): ``'key'``: ``F = F^4`` of the key frame (TDMI,
            Sec. 4.1); ``'sequence'``: ``F`` is a spatiotemporal feature of
            all T frames, ``F^4`` concatenated and fused by a residual block
            (TDMI-ST; the paper gives no detail, this is the choice made
            here).
        rdm (dict): Config of :class:`RDM` (``channels`` is filled in).
        num_fusion_blocks (int): Residual blocks giving ``F~`` (paper:
            "several"; chosen: 2).
        mi_loss (dict, optional): Config of :class:`MutualInformationLoss`;
            None trains with ``L_H`` only (Table 7 (a)).
        loss (dict): Heatmap loss ``L_H`` (Eq. 14).
        decoder (dict, optional): Heatmap codec for decoding.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels=48,
                 out_channels=17,
                 motion_channels=48,
                 num_frames=5,
                 visual='key',
                 rdm=dict(mode='attention'),
                 num_fusion_blocks=2,
                 mi_loss=dict(type='MutualInformationLoss'),
                 loss=dict(type='HeatmapL2Loss', use_target_weight=True),
                 decoder=None,
                 init_cfg=None):
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            deconv_out_channels=None,
            conv_out_channels=None,
            final_layer=dict(kernel_size=3, padding=1),
            loss=loss,
            decoder=decoder,
            init_cfg=init_cfg)
        if visual not in ('key', 'sequence'):
            raise ValueError(f"visual must be 'key' or 'sequence', "
                             f'got {visual!r}')
        self.num_frames = num_frames
        self.key_frame_index = num_frames // 2
        self.visual = visual
        if visual == 'sequence':
            self.spatiotemporal = residual_blocks(num_frames * in_channels,
                                                  in_channels, 1,
                                                  dict(type='BN'))
        self.rdm = MODELS.build(dict(rdm, type='RDM',
                                     channels=motion_channels))
        self.fusion = residual_blocks(motion_channels + in_channels,
                                      in_channels, num_fusion_blocks,
                                      dict(type='BN'))
        self.mi_loss = MODELS.build(mi_loss) if mi_loss else None
        if self.mi_loss is not None and motion_channels != in_channels:
            raise ValueError(
                'the MI loss predicts heatmaps from M_u and F with the '
                'shared detection head, so motion_channels must equal '
                f'in_channels ({motion_channels} != {in_channels})')

    def warm_start_state(self, source, name='the checkpoint', prefix='head.'):
        """The head's part of a warm start from a single-frame heatmap head
        (see :meth:`VideoTopdownPoseEstimator.warm_start`): the final layer
        copied, a ``1x1`` one at the centre of this ``3x3`` kernel (the other
        taps zero); the fusion (and TDMI-ST's spatiotemporal block) passing
        the key frame's ``F^4`` through, so ``F~ = ReLU(F) = F``.

        Args:
            source (dict[str, Tensor]): The single-frame model's state dict
                (mmpose keys).
            name (str): How errors name the checkpoint.
            prefix (str): This head's key prefix. Default: ``'head.'``.

        Returns:
            tuple[dict[str, Tensor], set[str]]: The keys of this head to set
            (with ``prefix``) and the keys of ``source`` used.

        Raises:
            WarmStartError: naming the key and both shapes.
        """
        weight_key = f'{prefix}final_layer.weight'
        bias_key = f'{prefix}final_layer.bias'
        if weight_key not in source:
            raise WarmStartError(
                f'{name} holds no {weight_key}: warm start needs a '
                'single-frame top-down model with a heatmap head (mmpose '
                'HeatmapHead)')
        src_w, src_b = source[weight_key], source.get(bias_key)
        dst_w = self.final_layer.weight
        if (src_w.dim() != 4 or src_w.shape[1] != dst_w.shape[1]
                or src_w.shape[0] != dst_w.shape[0]
                or src_w.shape[2] != src_w.shape[3]
                or src_w.shape[2] % 2 == 0
                or src_w.shape[2] > dst_w.shape[2]):
            what = ('keypoints' if src_w.dim() == 4
                    and src_w.shape[0] != dst_w.shape[0] else
                    'input channels or kernel size')
            raise WarmStartError(
                f'{name} holds {weight_key} with shape '
                f'{tensor_shape(src_w)}, the config\'s head '
                f'{tensor_shape(dst_w)}: another number of {what}; give a '
                'single-frame checkpoint with as many keypoints and the '
                "config's backbone width")
        w = torch.zeros_like(dst_w)
        k, c = src_w.shape[2], dst_w.shape[2] // 2
        w[..., c - k // 2:c + k // 2 + 1, c - k // 2:c + k // 2 + 1] = src_w
        state = {weight_key: w}
        used = {weight_key}
        if src_b is None:
            state[bias_key] = torch.zeros_like(self.final_layer.bias)
        elif tensor_shape(src_b) != tensor_shape(self.final_layer.bias):
            raise WarmStartError(
                f'{name} holds {bias_key} with shape {tensor_shape(src_b)}, '
                f'the config\'s head {tensor_shape(self.final_layer.bias)}')
        else:
            state[bias_key] = src_b.to(dst_w.dtype)
            used.add(bias_key)
        # F~ = fusion([M_u, F]): F's channels follow M_u's
        channels = self.fusion[0].conv2.out_channels
        state.update(pass_through_state(
            f'{prefix}fusion', self.fusion,
            self.fusion[0].conv1.in_channels - channels, channels))
        if self.visual == 'sequence':
            state.update(pass_through_state(
                f'{prefix}spatiotemporal', self.spatiotemporal,
                self.key_frame_index * channels, channels))
        return state, used

    def forward_features(self, feats):
        """All intermediate representations of Sec. 3.2.

        Returns:
            dict[str, Tensor]: ``motion`` (M), ``useful`` (M_u), ``noisy``
            (M_n), ``visual`` (F), ``enhanced`` (F~), each ``(B, C, h, w)``,
            and ``heatmaps`` (H) ``(B, K, h, w)``.
        """
        motion, visual_seq = feats
        if visual_seq.size(1) != self.num_frames:
            raise ValueError(f'TDMIHead was built for {self.num_frames} '
                             f'frames, got {visual_seq.size(1)}')
        if self.visual == 'key':
            visual = visual_seq[:, self.key_frame_index]
        else:
            visual = self.spatiotemporal(visual_seq.flatten(1, 2))
        useful, noisy = self.rdm(motion)
        enhanced = self.fusion(torch.cat([useful, visual], dim=1))
        return dict(motion=motion, useful=useful, noisy=noisy, visual=visual,
                    enhanced=enhanced,
                    heatmaps=at_least_float32(self.final_layer(enhanced)))

    def readout(self, feat):
        """``q(y|a)`` logits ``(B, K, h, w)``: the detection head applied to
        a representation ``a`` ``(B, C, h, w)`` with its parameters detached,
        so that the MI terms shape ``a`` and L_H alone fits the head."""
        conv = self.final_layer
        return at_least_float32(F.conv2d(
            feat, conv.weight.detach(), conv.bias.detach(), conv.stride,
            conv.padding))

    def forward(self, feats):
        """``(M, F^4 of all frames)`` -> heatmaps ``(B, K, h, w)``, float32
        under autocast (mmpose decodes them through numpy, which has no
        bf16)."""
        return self.forward_features(feats)['heatmaps']

    def loss(self, feats, batch_data_samples, train_cfg={}):
        """``loss_kpt`` (L_H), ``acc_pose``, the signed, weighted MI terms
        ``loss_mi_*`` (alpha * L_MI), each logged on its own, and the mean
        absolute values ``scale_m``, ``scale_mu``, ``scale_mn`` of ``M``,
        ``M_u``, ``M_n`` (logged, not optimised)."""
        out = self.forward_features(feats)
        heatmaps = out['heatmaps']
        gt_heatmaps = torch.stack(
            [d.gt_fields.heatmaps for d in batch_data_samples])
        keypoint_weights = torch.cat([
            d.gt_instance_labels.keypoint_weights for d in batch_data_samples
        ])
        losses = dict(
            loss_kpt=self.loss_module(heatmaps, gt_heatmaps,
                                      keypoint_weights))
        if self.mi_loss is not None:
            losses.update(self.mi_loss(
                *(self.readout(out[k])
                  for k in ('motion', 'useful', 'noisy', 'visual')),
                heatmaps))
            # feature scales, logged to show a collapse coming
            for key, name in (('motion', 'm'), ('useful', 'mu'),
                              ('noisy', 'mn')):
                losses[f'scale_{name}'] = out[key].detach().abs().mean()
        if train_cfg.get('compute_acc', True):
            _, avg_acc, _ = pose_pck_accuracy(
                output=to_numpy(heatmaps),
                target=to_numpy(gt_heatmaps),
                mask=to_numpy(keypoint_weights) > 0)
            losses['acc_pose'] = torch.tensor(avg_acc,
                                              device=gt_heatmaps.device)
        return losses
