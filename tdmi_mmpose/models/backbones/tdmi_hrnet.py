"""HRNet that exposes the per-stage features used by TDMI's TDE."""
from mmpose.models.backbones import HRNet
from mmpose.registry import MODELS


@MODELS.register_module()
class TDMIHRNet(HRNet):
    """mmpose's HRNet, returning the high-resolution branch of every stage.

    TDMI (Sec. 3.1) takes feature differences at the end of each of the four
    HRNet stages, J = {1, 2, 3, 4}. The feature of stage j is the
    highest-resolution branch after that stage (for stage 1, after the
    transition into stage 2), so all four have the width of the first branch
    (48 for W48) at 1/4 of the input size. ``F^4`` is also the visual feature
    of the frame. Weights and ``init_cfg`` are those of :class:`HRNet`, so
    mmpose's (COCO-pretrained) HRNet checkpoints load unchanged.

    Returns:
        tuple[Tensor]: ``(F^1, F^2, F^3, F^4)``, each ``(N, C, H/4, W/4)``.
    """

    def forward(self, x):
        x = self.relu(self.norm1(self.conv1(x)))
        x = self.relu(self.norm2(self.conv2(x)))
        x = self.layer1(x)
        x_list = self._transit(self.transition1, [x],
                               self.stage2_cfg['num_branches'])
        stage_feats = [x_list[0]]
        y_list = self.stage2(x_list)
        stage_feats.append(y_list[0])
        y_list = self.stage3(
            self._transit(self.transition2, y_list,
                          self.stage3_cfg['num_branches']))
        stage_feats.append(y_list[0])
        y_list = self.stage4(
            self._transit(self.transition3, y_list,
                          self.stage4_cfg['num_branches']))
        stage_feats.append(y_list[0])
        return tuple(stage_feats)

    @staticmethod
    def _transit(transition, y_list, num_branches):
        """Apply a transition layer the way :meth:`HRNet.forward` does: a
        branch with a transition module takes the last (lowest-resolution)
        input branch, the others pass through."""
        return [
            transition[i](y_list[-1])
            if transition[i] is not None else y_list[i]
            for i in range(num_branches)
        ]
