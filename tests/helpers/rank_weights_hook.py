"""A test hook (imported by the distributed test through custom_imports):
after training, each rank saves its own copy of the model's state."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SaveRankWeightsHook(Hook):

    def after_train(self, runner):
        model = getattr(runner.model, 'module', runner.model)
        state = {k: v.detach().clone() for k, v in
                 model.state_dict().items()}
        torch.save(dict(state=state, world_size=runner.world_size,
                        wrapper=type(runner.model).__name__),
                   osp.join(runner.work_dir, f'rank{get_rank()}.pth'))
