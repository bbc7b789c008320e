"""Ablations on the built-in videos: a named set of models x K seeds,
trained at the main job's budget (or another), evaluated on all, degraded
and clean key frames (PoseTrack mAP, ground-truth boxes), with the mean,
standard deviation and 95% confidence interval of each model and the
paired difference of each model to a reference (same data and seeds, so
paired by seed).

A run whose checkpoint exists for the same config, data, seed and budget is
reused, and every finished run is recorded at once in ``WORK_DIR/runs.json``
(:class:`.records.RunRecord`) with the stamp of its config and data: the
tool can be stopped and started again without losing finished runs, and a
recorded run whose config has changed since is run again. A model may have
a budget of its own or start from another model's run of the same seed
(:class:`.models.Model`): that run is trained first, and the training
minutes of a model count those of the run it starts from.
"""
import json
import os
import os.path as osp
import sys
import time
from typing import NamedTuple

from . import figures
from .errors import ExperimentError
from .jobs import evaluate, job_config, read_stamp, stamp, train_or_reuse
from .models import (MODELS, QUICK, SUBSET_NAMES as SUBSETS, checkpoint_path,
                     config_path, label as model_label, run_dir)
from .params import Paths
from .progress import Progress, log, logger_of
from .records import RunRecord, write_json
from .stats import aggregate, fmt, fmt_diff, training_minutes


class Run(NamedTuple):
    """One run to do: a model, a seed, its config (work dir set), its key
    in ``runs.json`` and the stamp its record must carry."""
    name: str
    seed: int
    cfg: object
    key: str
    stamp: str


def check_work_dir(work_dir, identity):
    """Stop, writing nothing, if ``work_dir`` holds the results of another
    budget or data set: its checkpoints would be retrained over and its
    results replaced.

    Args:
        work_dir (str): The tool's work directory.
        identity (dict): ``epochs`` (list of budgets) and ``data`` (the
            built-in videos' generator version and parameters) of this call.
    """
    path = osp.join(work_dir, 'results.json')
    if not osp.isfile(path):
        return
    with open(path) as f:
        found = json.load(f).get('identity')
    if found is None or found == identity:  # older files carry none
        return

    def budget(epochs):
        return '/'.join(map(str, epochs)) + ' epochs'

    if found['epochs'] != identity['epochs']:
        what = (f'budget, {budget(found["epochs"])} (this call: '
                f'{budget(identity["epochs"])})')
    else:
        mine, theirs = identity['data']['params'], found['data']['params']
        differ = [k for k in mine if theirs.get(k) != mine[k]]
        what = ('data set, built with another ' +
                (', '.join(differ) if differ else 'generator version'))
    raise ExperimentError(f'{path} holds the results of another {what}; '
                          'nothing was changed: give another --work-dir')


def same_run(entry, cfg, manifest, want):
    """Whether a recorded result (an entry of ``runs.json``) was trained
    with this config, data and seed; an older record, which carries no
    ``stamp``, is checked against its checkpoint's stamp in the run's work
    dir and given the stamp when it matches.

    Args:
        entry (dict): The recorded result.
        cfg (Config): The run's config, ``work_dir`` set.
        manifest (dict): The built-in videos' manifest.
        want (str): :func:`.jobs.stamp` of ``cfg`` without its work dir and of
            ``manifest``.
    """
    if 'stamp' not in entry:
        if read_stamp(cfg.work_dir).get('stamp') != stamp(cfg, manifest):
            return False
        entry['stamp'] = want
    return entry['stamp'] == want


def markdown(stats, names, reference, meta, minutes=None):
    """The ablation table: per model the summary of each subset and the
    paired difference to ``reference`` (``—`` where a record lacks one),
    under ``meta``; a training-minutes column when ``minutes`` (model ->
    summary) is given."""
    minutes = minutes or {}
    cost = any(n in minutes for n in names)
    lines = [meta, '',
             '| model | ' + ('training min | ' if cost else '') +
             ' | '.join(
                 f'{s} (mean ± std [95% CI])' for s in SUBSETS) + ' | ' +
             ' | '.join(f'{s} − {reference} (paired)' for s in SUBSETS) +
             ' |',
             '|---|' + '---:|' * (2 * len(SUBSETS) + cost)]
    for name in names:
        if not stats.get(name):
            continue
        cells = [fmt(stats[name].get(s)) for s in SUBSETS]
        cells += [fmt_diff(stats[name].get(s, {}).get('minus_reference'))
                  for s in SUBSETS]
        if cost:
            cells.insert(0, f'{minutes[name]["mean"]:.1f}'
                         if name in minutes else '—')
        label = model_label(name).replace('|', '\\|')  # I(M_u;y|F~)
        lines.append(f'| {label} | ' + ' | '.join(cells) + ' |')
    lines += ['', '\\* the 95% interval of the paired difference excludes '
              '0.']
    return '\n'.join(lines)


def comparison_table(rows):
    """The table of paired differences to other references than the set's
    (``[{name, reference, minus_reference: {subset: summary}}]``); ``''``
    for none."""
    if not rows:
        return ''
    lines = ['| model | against | all | degraded | clean |',
             '|---|---|---:|---:|---:|']
    for row in rows:
        d = row['minus_reference']
        lines.append(f'| {model_label(row["name"])} | '
                     f'{model_label(row["reference"])} | ' + ' | '.join(
                         fmt_diff(d.get(s)) for s in
                         ('all', 'degraded', 'clean')) + ' |')
    return '\n'.join(lines)


def forest_rows(results):
    """``(label, {subset: paired difference})`` of every model of a
    ``results.json`` but the reference, for :func:`.figures.forest_figure`.
    """
    stats, reference = results['stats'], results['reference']
    return [(model_label(n), {s: e['minus_reference']
                              for s, e in stats[n].items()
                              if 'minus_reference' in e})
            for n in results.get('names') or stats
            if n in stats and n != reference]


def cost_points(results):
    """``(label, training minutes, summary on all key frames)`` of every
    model whose runs carry their training time (the normalised minutes
    where a record gives them), for :func:`.figures.cost_figure`."""
    stats = results['stats']
    minutes = results.get('train_minutes_normalised') or \
        results.get('train_minutes') or {}
    return [(model_label(n), minutes[n]['mean'], stats[n]['all'])
            for n in results.get('names') or stats
            if n in minutes and 'all' in stats.get(n, {})]


def write_figures(results, work_dir, prefix='', caption=None):
    """``forest.png`` (paired differences) and, when runs carry their
    training time, ``cost.png`` (mAP against training minutes) from a
    ``results.json``, each name after ``prefix``; the paths written."""
    caption = caption or results.get('caption')
    written = [figures.forest_figure(
        forest_rows(results), model_label(results['reference']),
        osp.join(work_dir, f'{prefix}forest.png'), caption)]
    points = cost_points(results)
    if points:
        written.append(figures.cost_figure(
            points, osp.join(work_dir, f'{prefix}cost.png'), caption))
    return written


def plot_only(work_dir):
    """``--plot``: the figures of the results in ``work_dir``, nothing
    trained."""
    path = osp.join(work_dir, 'results.json')
    if not osp.isfile(path):
        raise ExperimentError(
            f'no results in {work_dir} ({osp.basename(path)} is missing): '
            'run ablation.py with this --work-dir first')
    with open(path) as f:
        results = json.load(f)
    try:
        for out in write_figures(results, work_dir):
            log('ablation', f'figure: {out}')
    except ValueError as err:
        raise ExperimentError(str(err)) from None


def worker_init(threads):
    """A worker process of ``jobs > 1``: the plugin registered, ``threads``
    torch threads."""
    os.environ['OMP_NUM_THREADS'] = str(threads)
    import torch
    torch.set_num_threads(threads)
    import tdmi_mmpose  # noqa: F401


def run_one(run, manifest):
    """Train (or reuse the checkpoint of) one run and evaluate it: the mAP
    of each subset, the seconds it took and its training seconds."""
    start = time.time()
    ckpt, _ = train_or_reuse(model_label(run.name), run.cfg, manifest)
    result = evaluate(run.cfg, ckpt)
    train_seconds = read_stamp(run.cfg.work_dir).get('train_seconds')
    return dict({s: result[s]['Mean'] for s in SUBSETS},
                seconds=time.time() - start, train_seconds=train_seconds)


def plan(names, seeds, epochs, work_dir, data_root, data_seed, manifest,
         record):
    """The runs of ``names`` x ``seeds`` not yet in ``record`` (or
    recorded with another config or data).

    Args:
        names (list[str]): Models of :data:`.models.MODELS`, each after
            the model it is warm-started from.
        seeds (int): K: seeds ``0..K-1``.
        epochs (int | None): The budget of models without their own.
        work_dir (str): The tool's work dir (runs in ``NAME/eE_seedS``).
        data_root (str): The built-in videos.
        data_seed (int): Their seed (part of the record's keys).
        manifest (dict): Their manifest (part of each run's stamp).
        record (RunRecord): The finished runs.

    Returns:
        tuple: ``(todo, key_of, budgets, stamped)``: the :class:`Run` s to
        do, the ``runs.json`` key of each model, the set of budgets and how
        many older records (without a stamp) were given theirs.
    """
    key_of, budgets, todo = {}, set(), []
    stamped = 0  # older records given their stamp
    started_from = {}  # (name, seed) -> (checkpoint, stamp) of a run
    for name in names:
        model = MODELS[name]
        for seed in range(seeds):
            cfg = job_config(config_path(model), data_root, seed, None,
                             model.epochs or epochs)
            cfg.log_level = 'WARNING'
            if model.warm_from:
                # a warm start is stale when the run it starts from is
                ckpt, cfg.warm_start_stamp = started_from[model.warm_from,
                                                          seed]
            if model.unlabelled:
                cfg.unlabelled_data = unlabelled_data(
                    cfg, model.unlabelled, data_root, data_seed, manifest)
            # stamped before the work dir is set: a record holds when the
            # work dir is moved or named by another path
            want = stamp(cfg, manifest)
            if model.warm_from:
                cfg.model.init_cfg.checkpoint = ckpt
            run_epochs = cfg.train_cfg.max_epochs
            budgets.add(run_epochs)
            cfg.work_dir = run_dir(work_dir, name, run_epochs, seed)
            started_from[name, seed] = (
                checkpoint_path(cfg.work_dir, run_epochs), want)
            key = key_of[name] = f'{name}/e{run_epochs}/d{data_seed}'
            entry = record.get(key, seed)
            stamped += entry is not None and 'stamp' not in entry
            if entry is not None and not same_run(entry, cfg, manifest,
                                                  want):
                log('ablation', f'{model.label}, seed {seed}: the recorded '
                    'run was trained with another config or data; running '
                    'it again')
                entry = None
            if entry is None:
                todo.append(Run(name, seed, cfg, key, want))
    return todo, key_of, budgets, stamped


def unlabelled_data(cfg, which, data_root, data_seed, manifest):
    """Point an adaptation run at its unlabelled videos (generated, with
    their boxes files and cache, here in the main process, so that runs in
    parallel only read them); returns what the run's stamp must carry of
    them (their manifest)."""
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    from .adaptation import (OTHER_DATA_SEED_OFFSET, point_at_unlabelled,
                             prepare_cache)
    source, source_manifest = data_root, manifest
    if which == 'other':
        seed = data_seed + OTHER_DATA_SEED_OFFSET
        source = Paths.here().data_root(seed)
        source_manifest = generate_synthetic_videos(
            source, logger=logger_of('ablation'),
            **dict(manifest['params'], seed=seed))
    point_at_unlabelled(cfg, data_root, source)
    prepare_cache(cfg.train_dataloader.dataset)
    return dict(videos=which, version=source_manifest['version'],
                params=source_manifest['params'])


def train_all(todo, jobs, manifest, record):
    """Train and evaluate the runs of ``todo`` (``jobs`` at a time in
    worker processes sharing the CPU threads), each warm start after the
    run it begins from, recording each as it finishes."""
    progress = Progress('ablation', len(todo))

    def finished(run, result):
        record.put(run.key, run.seed, dict(result, stamp=run.stamp))
        progress.finish(
            f'{model_label(run.name)}, seed {run.seed}: mAP all '
            f'{result["all"]:.1f}, degraded {result["degraded"]:.1f}, clean '
            f'{result["clean"]:.1f}, {result["seconds"]:.0f} s')

    # a warm start waits for the run it starts from (name, seed)
    queued = {(run.name, run.seed) for run in todo}
    waiting, ready = {}, []
    for run in todo:
        base = MODELS[run.name].warm_from
        if base and (base, run.seed) in queued:
            waiting.setdefault((base, run.seed), []).append(run)
        else:
            ready.append(run)

    def what(run):
        return (f'{model_label(run.name)}, seed {run.seed}, '
                f'{run.cfg.train_cfg.max_epochs} epochs')

    if jobs == 1:
        i = 0
        while ready:
            run = ready.pop(0)
            i += 1
            progress.start(i, what(run))
            finished(run, run_one(run, manifest))
            ready += waiting.pop((run.name, run.seed), [])
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    import torch
    threads = max(1, torch.get_num_threads() // jobs)
    log('ablation', f'{jobs} runs at a time, {threads} CPU thread(s) each')
    # runs that others start from first, then the longest, so the last run
    # does not train alone on a free core: a video run takes about 4x a
    # single-frame one
    ready.sort(key=lambda run: ((run.name, run.seed) not in waiting,
                                run.cfg.model.type == 'TopdownPoseEstimator'))
    with ProcessPoolExecutor(jobs, multiprocessing.get_context('spawn'),
                             initializer=worker_init,
                             initargs=(threads, )) as pool:
        futures, submitted = {}, [0]

        def submit(runs):
            for run in runs:
                futures[pool.submit(run_one, run, manifest)] = run
                submitted[0] += 1
                progress.start(submitted[0], what(run) + ' (queued)')

        submit(ready)
        while futures:
            done_now, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done_now:
                run = futures.pop(future)
                finished(run, future.result())
                submit(waiting.pop((run.name, run.seed), []))


def run(params):
    """The ablation on the parameters ``tools/analysis/ablation.py`` built
    (:class:`.params.ExperimentParams`): ``names``, ``reference``,
    ``seeds``, ``epochs``, ``work_dir``, ``data_root``, ``data_seed``,
    ``jobs``, ``quick``.

    Returns:
        dict: the results written to ``WORK_DIR/results.json``.
    """
    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    os.makedirs(params.work_dir, exist_ok=True)
    manifest = generate_synthetic_videos(
        params.data_root, seed=params.data_seed,
        logger=logger_of('ablation'),
        **(QUICK if params.quick else {}))
    record = RunRecord(osp.join(params.work_dir, 'runs.json'), 'ablation.py')
    todo, key_of, budgets, stamped = plan(
        params.names, params.seeds, params.epochs, params.work_dir,
        params.data_root, params.data_seed, manifest, record)
    identity = dict(
        epochs=sorted(budgets),
        data=dict(version=manifest['version'], params=manifest['params']))
    check_work_dir(params.work_dir, identity)
    if stamped:  # older records, now stamped: kept for the next call
        record.save()
    total = len(params.names) * params.seeds
    log('ablation', f'{len(params.names)} models x {params.seeds} seeds: '
        f'{len(todo)} runs to do, {total - len(todo)} already done (in '
        f'{record.path})')
    train_all(todo, params.jobs, manifest, record)
    seeds = list(range(params.seeds))
    by_name = {name: record.by_seed(key_of[name]) for name in params.names
               if key_of[name] in record.runs}
    stats = aggregate(by_name, params.names, params.reference, seeds)
    splits = manifest['splits']
    meta = (f'PoseTrack mAP (PCKh@0.5, ground-truth boxes, mean of the 15 '
            f'joints) on the built-in validation videos '
            f'({splits["val"]["labelled_frames"]} labelled frames, '
            f'{splits["val"]["degraded_frames"]} degraded), K = '
            f'{params.seeds} training seeds (0..{params.seeds - 1}), data '
            f'seed {params.data_seed}, budget '
            f'{"/".join(map(str, identity["epochs"]))} epochs; '
            f'{time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    comparisons = [
        dict(name=name, reference=ref, minus_reference={
            s: e['minus_reference'] for s, e in aggregate(
                by_name, [name], ref, seeds)[name].items()
            if 'minus_reference' in e})
        for name, ref in getattr(params, 'comparisons', None) or []
        if name in by_name and ref in by_name]
    minutes = training_minutes(by_name, params.names, seeds)
    if minutes:
        meta += (' Training minutes: the training alone (evaluation not '
                 'counted), one run on '
                 f'{max(1, (os.cpu_count() or 1) // params.jobs)} CPU '
                 'thread(s); a warm start counts the single-frame training '
                 'it starts from.')
    md = markdown(stats, params.names, params.reference, meta, minutes)
    if comparisons:
        md += ('\n\nOther paired differences (by seed):\n\n' +
               comparison_table(comparisons))
    log('ablation', '\n' + md)
    results = dict(meta=meta, identity=identity, names=params.names,
                   reference=params.reference, stats=stats,
                   train_minutes=minutes, comparisons=comparisons,
                   caption=f'{" ".join(["ablation.py"] + sys.argv[1:])}; '
                   f'{time.strftime("%Y-%m-%d")}', runs=by_name)
    write_json(osp.join(params.work_dir, 'results.json'), results)
    with open(osp.join(params.work_dir, 'results.md'), 'w') as f:
        f.write(md + '\n')
    try:
        for out in write_figures(results, params.work_dir):
            log('ablation', f'figure: {osp.relpath(out)}')
    except ValueError as err:
        log('ablation', f'no figure: {err}')
    return results

