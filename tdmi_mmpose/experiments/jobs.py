"""One run of an experiment: its config (pointed at the data and work
dir, with its budget and seed), the stamp a reusable checkpoint must carry,
training or reusing it, and evaluating it."""
import hashlib
import json
import os
import os.path as osp
import sys
import time

from mmengine.config import Config
from mmengine.runner import Runner

from .errors import ExperimentError
from .models import COLUMNS, DETECTOR, SUBSETS, checkpoint_path, run_dir
from .progress import Progress, log
from .records import RunRecord, write_json


def job_config(path, data_root, seed, work_dir, epochs=None):
    """A config of an experiment, pointed at the data and work dir, trained
    for ``epochs`` (default: the config's) with one checkpoint at the end
    and no validation during training (the evaluation step tests the final
    weights).

    Args:
        path (str): The config file.
        data_root (str): The built-in videos.
        seed (int): The training seed.
        work_dir (str | None): The run's work dir.
        epochs (int, optional): The budget (default: the config's).

    Returns:
        Config: The run's config.
    """
    cfg = Config.fromfile(path)
    data_root = data_root.rstrip('/') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        for metric in (evaluator if isinstance(evaluator, list) else
                       [evaluator]):
            metric.ann_file = osp.join(data_root, 'annotations',
                                       osp.basename(metric.ann_file))
    configured = cfg.train_cfg.max_epochs
    epochs = epochs or configured
    if epochs != configured:
        cfg.train_cfg.max_epochs = epochs
        for sched in cfg.param_scheduler:
            if sched.get('end') == configured:
                sched.end = epochs
            if 'milestones' in sched:  # x0.1 for the last epoch of 2+
                sched.milestones = [max(epochs - 1, 1)]
    cfg.train_cfg.val_interval = epochs + 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=epochs, save_best=None)
    cfg.randomness = dict(seed=seed)
    cfg.work_dir = work_dir
    cfg.load_from = None
    return cfg


def stamp(cfg, manifest):
    """What a reusable checkpoint must have been trained with."""
    text = cfg.pretty_text + json.dumps(manifest, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def read_stamp(work_dir):
    """The stamp file of a run's work dir (``main_job_stamp.json``:
    ``stamp``, ``train_seconds``, ``iterations``), or ``{}`` when it is
    missing, empty or garbled (a run killed while writing it: the run is
    then done again)."""
    path = osp.join(work_dir, 'main_job_stamp.json')
    try:
        with open(path) as f:
            found = json.load(f)
    except (OSError, json.JSONDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def train_or_reuse(label, cfg, manifest, retrain=False):
    """Path of the trained checkpoint of one model."""
    want = stamp(cfg, manifest)
    record = osp.join(cfg.work_dir, 'main_job_stamp.json')
    ckpt = checkpoint_path(cfg.work_dir, cfg.train_cfg.max_epochs)
    if not retrain and osp.isfile(ckpt) and \
            read_stamp(cfg.work_dir).get('stamp') == want:
        log('main job', f'{label}: reusing {osp.relpath(ckpt)} '
                        '(--retrain to train again)')
        return ckpt, None
    log('main job', f'{label}: training {cfg.train_cfg.max_epochs} epochs '
                    f'(log in {osp.relpath(cfg.work_dir)})')
    t0 = time.time()
    runner = Runner.from_cfg(cfg.copy())
    runner.train()
    seconds = time.time() - t0
    write_json(record, dict(stamp=want, train_seconds=seconds,
                            iterations=runner.iter))
    return ckpt, seconds


def evaluate(cfg, ckpt):
    """PoseTrack mAP on all, degraded and clean validation frames."""
    cfg = cfg.copy()
    cfg.load_from = ckpt
    cfg.work_dir = osp.join(cfg.work_dir, 'test')
    metrics = Runner.from_cfg(cfg).test()
    return {subset: {c: float(metrics[f'{prefix}/{c}']) for c in COLUMNS}
            for prefix, subset in SUBSETS}


def evaluate_detector(cfg, ckpt):
    """COCO bbox AP of the person detector on the validation frames (0
    when it detects nothing, e.g. after the one epoch of ``--quick``)."""
    cfg = cfg.copy()
    cfg.load_from = ckpt
    cfg.work_dir = osp.join(cfg.work_dir, 'test')
    metrics = Runner.from_cfg(cfg).test()
    box_ap = dict(bbox_mAP=0.0, bbox_mAP_50=0.0)
    box_ap.update({k.split('/')[-1]: float(v) for k, v in metrics.items()
                   if k.startswith('coco/bbox_mAP')})
    return box_ap


def main_job_detector(job):
    """Inferencer arguments of the person detector a main job in ``job``
    trained; an error naming the missing file otherwise."""
    det_cfg = osp.join(job, 'detector', osp.basename(DETECTOR.config))
    det_ckpt = osp.join(job, 'detector', 'epoch_12.pth')
    for path in (det_cfg, det_ckpt):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} is missing: run `make demo` '
                                    '(the main job trains the detector) '
                                    'first, or give --job')
    return dict(det_model=det_cfg, det_weights=det_ckpt, det_cat_ids=0)


def ablation_checkpoint(ablation_dir, model, seed, epochs, seeds):
    """The checkpoint of the ablation tool's run of ``model`` and ``seed``
    at ``epochs`` in ``ablation_dir``.

    Raises:
        ExperimentError: it is missing (the message gives the command that
            trains the ``seeds`` runs).
    """
    ckpt = checkpoint_path(run_dir(ablation_dir, model, epochs, seed),
                           epochs)
    if not osp.isfile(ckpt):
        raise ExperimentError(
            f'{ckpt} is missing: train it with `python '
            f'tools/analysis/ablation.py --configs {model} --seeds {seeds} '
            f'--epochs {epochs} --work-dir {ablation_dir}`')
    return ckpt


def measure_per_seed(params, tool, models, variants, measure, field,
                     digits=1):
    """The runs of a comparison over the ablation tool's checkpoints,
    recorded in ``WORK_DIR/<tool>_runs.json`` (finished ones reused).

    Args:
        params (ExperimentParams): ``seeds``, ``epochs``,
            ``ablation_dir``, ``work_dir``.
        tool (str): The tool's name (``'tracking'``).
        models (dict): Model name -> label.
        variants (dict): Variant name -> label; run ``model/variant``.
        measure (callable): ``(model, checkpoint)`` -> ``{variant:
            result}`` of one model and seed.
        field (str): The result shown in the progress line, with
            ``digits`` decimals.

    Returns:
        RunRecord: every run.
    """
    os.makedirs(params.work_dir, exist_ok=True)
    record = RunRecord(osp.join(params.work_dir, f'{tool}_runs.json'),
                       f'{tool}.py')
    jobs = [(m, s) for s in range(params.seeds) for m in models
            if any(record.get(f'{m}/{v}', s) is None for v in variants)]
    progress = Progress(tool, len(jobs))
    for i, (model, seed) in enumerate(jobs):
        ckpt = ablation_checkpoint(params.ablation_dir, model, seed,
                                   params.epochs, params.seeds)
        progress.start(i + 1, f'{models[model]}, seed {seed}')
        results = measure(model, ckpt)
        for variant, result in results.items():
            record.put(f'{model}/{variant}', seed, result)
        progress.finish(', '.join(
            f'{variants[v]} {field} {r[field]:.{digits}f}'
            for v, r in results.items()))
    return record


def comparison_results(params, tool, stats, markdown):
    """What a comparison writes to ``WORK_DIR/<tool>.json`` (its statistics,
    seeds, epochs and the command), also printed as ``markdown``."""
    out = dict(stats=stats, seeds=params.seeds, epochs=params.epochs,
               caption=f'{tool}.py {" ".join(sys.argv[1:])}; '
               f'{time.strftime("%Y-%m-%d")}')
    write_json(osp.join(params.work_dir, f'{tool}.json'), out)
    log(tool, '\n' + markdown(out))
    return out
