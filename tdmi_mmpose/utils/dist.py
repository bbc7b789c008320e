"""Multi-process training and testing on machines without CUDA.

mmengine's ``pytorch`` launcher assumes GPUs: it calls
``torch.cuda.set_device`` before creating the process group, and its
default DDP wrapper passes ``device_ids=[LOCAL_RANK]``, which DDP refuses
for a CPU module. :func:`setup_cpu_distributed` makes the same command
(``tools/dist_train.sh CONFIG N``, i.e. ``torchrun ... --launcher pytorch``)
run on CPUs: it creates the gloo process group from torchrun's environment
(``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``) before the
Runner is built (the Runner then skips its own initialisation) and wraps the
model in mmengine's DDP without device ids. With CUDA it does nothing, so
GPUs keep mmengine's NCCL path unchanged.
"""
import os

import torch
import torch.distributed as torch_dist


def setup_cpu_distributed(cfg):
    """Prepare ``cfg`` (and the process group) for CPU-only multi-process
    runs; a no-op for ``launcher='none'`` or when CUDA is available.

    Args:
        cfg (mmengine.Config): the run's config, with ``cfg.launcher`` set.

    Returns:
        mmengine.Config: ``cfg``, with ``env_cfg.dist_cfg.backend='gloo'``
        and ``model_wrapper_cfg.device_ids=None`` on a CPU-only machine.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return cfg
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} needs CUDA devices, and this machine has '
            'none. On CPUs start the processes with torchrun (--launcher '
            'pytorch), e.g. `bash tools/dist_train.sh CONFIG 2`.')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(
            backend='gloo', rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None  # a CPU module: DDP takes no device ids
    cfg.model_wrapper_cfg = wrapper
    return cfg
