"""Ablations on the built-in videos: a named set of configs x K seeds,
trained at the main job's budget (or ``--epochs``), evaluated on all,
degraded and clean key frames (PoseTrack mAP, ground-truth boxes), with the
mean, standard deviation and 95% confidence interval of each model and the
paired difference of each model to a reference (same data and seeds, so
paired by seed).

A run whose checkpoint exists for the same config, data, seed and budget is
reused, and every finished run is recorded at once in
``WORK_DIR/runs.json`` with the stamp of its config and data: the tool can
be stopped and started again without losing finished runs, and a recorded
run whose config has changed since is run again. It prints which run it is
at and an estimate of the time left, and writes
``WORK_DIR/results.{json,md}``.

Sets (``--set``; the paper's tables on the built-in videos):

- ``triple``: single-frame model, TDMI, TDMI without L_MI (reference TDMI);
- ``table5``: single-frame, TDE only, TDE + RDM (= TDMI);
- ``table6``: TDE final stage only, concatenation, progressive without
  modulation, full TDE (= TDMI);
- ``table7``: without RDM, RDM without L_MI, full, channel split, and each
  MI term removed in turn;
- ``mi``: the MI objective's options: distillation direction, alpha 0.1,
  temperatures 0.5 and 2, and without L_MI;
- ``reuse``: TDMI trained per clip and trained for feature reuse
  (``RandomNeighbourCrop``); ``tools/analysis/reuse_accuracy.py`` then
  compares their video inference per clip and with reuse;
- ``warm``: TDMI warm-started from the single-frame model of the same seed
  (``WarmStart``) and trained 1, 2 and 5 more epochs, against TDMI from
  scratch at the budget and at 10 epochs and the single-frame model at the
  budget and at 10 epochs; the results add each model's training minutes
  (a warm start's include the single-frame training it starts from).

A model may have a budget of its own (``tdmi-e10``) or start from another
model's run of the same seed (the ``warm-e*`` models): that run is trained
first, and the training minutes of a model count those of the run it
starts from.

``--jobs N`` trains N runs at a time in worker processes, each with 1/N of
the CPU threads (on 2 cores two single-thread runs get more done than one
two-thread run: a TDMI training step takes 1.22 s on one thread and 0.75 s
on two).

Examples:
    python tools/analysis/ablation.py --set triple --seeds 5
    python tools/analysis/ablation.py --set triple --seeds 5 --jobs 2
    python tools/analysis/ablation.py --set table6 --seeds 3 --epochs 10
    python tools/analysis/ablation.py --configs tdmi tdmi-no-mi --seeds 2
"""
import argparse
import json
import math
import os
import os.path as osp
import sys
import time

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
SYN = osp.join(ROOT, 'configs', 'tdmi', 'synthetic')
PREFIX = 'tdmi_hrnet-w8_synthetic-videos-128x96'
SUBSETS = ('all', 'degraded', 'clean')

# name -> (label, config file)
MODELS = {
    'single-frame': ('mmpose single-frame HRNet',
                     'hrnet-w8_synthetic-videos-128x96_single-frame.py'),
    'tdmi': ('TDMI (TDE + RDM + L_MI)', f'{PREFIX}.py'),
    'tdmi-no-mi': ('TDMI without L_MI', f'{PREFIX}_no-mi.py'),
    'tdmi-reuse': ('TDMI trained for feature reuse', f'{PREFIX}_reuse.py'),
}
ABLATIONS = {
    'tde-only': 'TDE only (no RDM, no L_MI)',
    'tde-final-stage': 'TDE, final stage only',
    'tde-concat': 'TDE, concatenation',
    'tde-progressive': 'TDE, progressive without modulation',
    'rdm-split': 'RDM by channel splitting',
    'mi-no-un': 'L_MI without I(M_u;M_n)',
    'mi-no-mu': 'L_MI without -I(M;M_u)',
    'mi-no-uy': 'L_MI without I(M_u;y|F~)',
    'mi-no-fy': 'L_MI without I(F;y|F~)',
    'mi-distill-enhanced': 'L_MI, uy/fy pull F~ (M_u, F teach)',
    'mi-distill-both': 'L_MI, uy/fy pull both sides',
    'mi-alpha0.1': 'L_MI, alpha 0.1',
    'mi-tau0.5': 'L_MI, temperature 0.5',
    'mi-tau2': 'L_MI, temperature 2',
}
MODELS.update({
    name: (label, osp.join('ablations', f'{PREFIX}_{name}.py'))
    for name, label in ABLATIONS.items()
})
# models with a budget of their own (epochs) or started from the same
# seed's run of another model (warm_from): name -> (label, config, epochs,
# warm_from)
VARIANTS = {
    'single-frame-e10': ('mmpose single-frame HRNet, 10 epochs',
                         MODELS['single-frame'][1], 10, None),
    'tdmi-e10': ('TDMI from scratch, 10 epochs', MODELS['tdmi'][1], 10,
                 None),
}
VARIANTS.update({
    f'warm-e{e}': (f'TDMI warm-started, +{e} epoch{"s" if e > 1 else ""}',
                   f'{PREFIX}_warm-start.py', e, 'single-frame')
    for e in (1, 2, 5)
})
MODELS.update({name: v[:2] for name, v in VARIANTS.items()})


def budget_and_base(name):
    """``(epochs, warm_from)`` of a model: its own budget (None: the
    call's) and the model whose run of the same seed it starts from."""
    return VARIANTS.get(name, (None, ) * 4)[2:]
SETS = {
    'triple': (['single-frame', 'tdmi', 'tdmi-no-mi'], 'tdmi'),
    'table5': (['single-frame', 'tde-only', 'tdmi'], 'tdmi'),
    'table6': (['tde-final-stage', 'tde-concat', 'tde-progressive', 'tdmi'],
               'tdmi'),
    'table7': (['tde-only', 'tdmi-no-mi', 'tdmi', 'rdm-split', 'mi-no-un',
                'mi-no-mu', 'mi-no-uy', 'mi-no-fy'], 'tdmi'),
    'mi': (['tdmi', 'mi-distill-enhanced', 'mi-distill-both', 'mi-alpha0.1',
            'mi-tau0.5', 'mi-tau2', 'tdmi-no-mi'], 'tdmi'),
    'reuse': (['tdmi', 'tdmi-reuse'], 'tdmi'),
    'warm': (['single-frame', 'warm-e1', 'warm-e2', 'warm-e5', 'tdmi',
              'tdmi-e10', 'single-frame-e10'], 'tdmi'),
}


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments end with one line (what is wrong, what to do), not
    the usage text."""

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')


def parse_args():
    parser = OneLineParser(description=__doc__.split('\n')[0])
    parser.add_argument('--set', choices=sorted(SETS), default='triple',
                        help='named set of models (default: triple)')
    parser.add_argument('--configs', nargs='+', choices=sorted(MODELS),
                        help='models to run instead of a set')
    parser.add_argument('--reference', help='model the paired differences '
                        'are taken to (default: the set\'s, else the first)')
    parser.add_argument('--seeds', type=int, default=5,
                        help='K: training seeds 0..K-1, K >= 2 (default: '
                        '5)')
    parser.add_argument('--epochs', type=int, default=None,
                        help='training epochs (default: the main job\'s, '
                        'the configs\' max_epochs)')
    parser.add_argument('--work-dir',
                        default=osp.join(ROOT, 'work_dirs', 'ablation'))
    parser.add_argument('--data-root',
                        help='the built-in videos (generated if missing; '
                        'default: the main job\'s, data/synthetic_videos, '
                        'with _seedN added for --data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--device', default=None,
                        help='cpu to train on the CPU where CUDA is '
                        'present (default: CUDA when available)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs trained at a time, in worker processes '
                        'sharing the CPU threads (default: 1)')
    parser.add_argument('--plot', action='store_true',
                        help='only draw the figures of the results in '
                        'WORK_DIR (forest.png, cost.png)')
    parser.add_argument('--quick', action='store_true',
                        help='a check of the tool: small videos in '
                        'WORK_DIR/data, 1 epoch')
    args = parser.parse_args()
    names, reference = SETS[args.set]
    if args.configs:
        names, reference = args.configs, args.configs[0]
    args.names = names
    args.reference = args.reference or reference
    if args.reference not in names:
        parser.error(f'--reference {args.reference} is not among the '
                     f'models {names}')
    if args.seeds < 2:
        parser.error(f'--seeds {args.seeds}: K must be at least 2, a '
                     'confidence interval needs two seeds')
    if args.jobs < 1:
        parser.error('--jobs must be at least 1')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs {args.epochs}: give at least 1 (leave it '
                     "out for the configs' budget)")
    for name in list(names):  # a warm start needs the run it starts from
        base = budget_and_base(name)[1]
        if base and base not in names:
            names.insert(0, base)
    if args.quick:
        args.epochs = args.epochs or 1
        if args.data_root is None:
            args.data_root = osp.join(args.work_dir, 'data')
    return args


def t_quantile(dof):
    """Two-sided 95% quantile of Student's t with ``dof`` degrees."""
    from scipy.stats import t
    return float(t.ppf(0.975, dof))


def summary(values):
    """Mean, sample standard deviation and 95% confidence interval (t)
    of per-seed values; one value has no spread (std and CI are NaN)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return dict(n=n, mean=mean, std=math.nan, ci95=[math.nan, math.nan])
    std = math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))
    half = t_quantile(n - 1) * std / math.sqrt(n)
    return dict(n=n, mean=mean, std=std, ci95=[mean - half, mean + half])


def aggregate(runs, names, reference, seeds):
    """Per model and subset: the summary of its seeds and the paired
    difference to ``reference`` over the seeds both have."""
    out = {}
    for name in names:
        out[name] = {}
        for subset in SUBSETS:
            mine = {s: runs[name][s][subset] for s in seeds
                    if s in runs.get(name, {})}
            if not mine:
                continue
            entry = dict(summary(list(mine.values())))
            ref = {s: runs[reference][s][subset] for s in seeds
                   if s in runs.get(reference, {})}
            paired = [mine[s] - ref[s] for s in mine if s in ref]
            if name != reference and paired:
                entry['minus_reference'] = summary(paired)
            out[name][subset] = entry
    return out


def training_minutes(runs, names, seeds):
    """Per model: the summary of its runs' training minutes, a warm
    start's counting the run it starts from; models whose runs carry no
    training time (recorded before it was) are left out."""
    out = {}
    for name in names:
        base = budget_and_base(name)[1]
        values = []
        for seed in seeds:
            chain = [runs.get(name, {}).get(seed)]
            if base:
                chain.append(runs.get(base, {}).get(seed))
            if all(r and r.get('train_seconds') is not None for r in chain):
                values.append(sum(r['train_seconds'] for r in chain) / 60)
        if values:
            out[name] = summary(values)
    return out


def write_figures(results, work_dir):
    """``forest.png`` (paired differences) and, when runs carry their
    training time, ``cost.png`` (mAP against training minutes) from a
    ``results.json``; the paths written."""
    from figures import cost_figure, forest_figure
    stats, reference = results['stats'], results['reference']
    label = {n: MODELS[n][0] if n in MODELS else n for n in stats}
    caption = results.get('caption')
    rows = [(label[n], {s: e['minus_reference'] for s, e in stats[n].items()
                        if 'minus_reference' in e})
            for n in stats if n != reference]
    written = [forest_figure(rows, label[reference],
                             osp.join(work_dir, 'forest.png'), caption)]
    minutes = results.get('train_minutes', {})
    points = [(label[n], minutes[n]['mean'], stats[n]['all'])
              for n in stats if n in minutes and 'all' in stats[n]]
    if points:
        written.append(cost_figure(points, osp.join(work_dir, 'cost.png'),
                                   caption))
    return written


def plot_only(work_dir):
    """``--plot``: the figures of the results in ``work_dir``, nothing
    trained."""
    path = osp.join(work_dir, 'results.json')
    if not osp.isfile(path):
        sys.exit(f'ablation.py: error: no results in {work_dir} '
                 f'({osp.basename(path)} is missing): run ablation.py with '
                 'this --work-dir first')
    with open(path) as f:
        results = json.load(f)
    try:
        for out in write_figures(results, work_dir):
            print(f'[ablation] figure: {out}')
    except ValueError as err:
        sys.exit(f'ablation.py: error: {err}')


def fmt(entry):
    lo, hi = entry['ci95']
    if math.isnan(entry['std']):
        return f'{entry["mean"]:.1f}'
    return (f'{entry["mean"]:.1f} ± {entry["std"]:.1f} '
            f'[{lo:.1f}, {hi:.1f}]')


def fmt_diff(entry):
    lo, hi = entry['ci95']
    if math.isnan(entry['std']):
        return f'{entry["mean"]:+.1f}'
    mark = '' if lo <= 0 <= hi else ' *'
    return f'{entry["mean"]:+.1f} [{lo:+.1f}, {hi:+.1f}]{mark}'


def markdown(stats, names, reference, meta, minutes=None):
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
        cells = [fmt(stats[name][s]) for s in SUBSETS]
        cells += [fmt_diff(stats[name][s]['minus_reference'])
                  if 'minus_reference' in stats[name][s] else '—'
                  for s in SUBSETS]
        if cost:
            cells.insert(0, f'{minutes[name]["mean"]:.1f}'
                         if name in minutes else '—')
        label = MODELS[name][0].replace('|', '\\|')  # I(M_u;y|F~)
        lines.append(f'| {label} | ' + ' | '.join(cells) + ' |')
    lines += ['', '\\* the 95% interval of the paired difference excludes '
              '0.']
    return '\n'.join(lines)


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
    sys.exit(f'ablation.py: error: {path} holds the results of another '
             f'{what}; nothing was changed: give another --work-dir')


def same_run(entry, cfg, manifest, want):
    """Whether a recorded result (an entry of ``runs.json``) was trained
    with this config, data and seed; an older record, which carries no
    ``stamp``, is checked against its checkpoint's stamp in the run's work
    dir and given the stamp when it matches.

    Args:
        entry (dict): The recorded result.
        cfg (Config): The run's config, ``work_dir`` set.
        manifest (dict): The built-in videos' manifest.
        want (str): ``demo.stamp`` of ``cfg`` without its work dir and of
            ``manifest``.
    """
    if 'stamp' not in entry:
        from demo import stamp
        path = osp.join(cfg.work_dir, 'main_job_stamp.json')
        if not osp.isfile(path):
            return False
        with open(path) as f:
            if json.load(f).get('stamp') != stamp(cfg, manifest):
                return False
        entry['stamp'] = want
    return entry['stamp'] == want


def read_runs(record):
    """The recorded runs (``{}`` when there are none); a file that is not
    JSON stops the tool with its name and what to do (it is kept)."""
    if not osp.isfile(record):
        return {}
    with open(record) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            sys.exit(f'ablation.py: error: {record} is not valid JSON ({err}; '
                     'a run stopped while writing it?); it was kept as it '
                     'is: repair it, or move it away to train its runs '
                     'again (their checkpoints are reused)')


def worker_init(threads):
    """A worker process of ``--jobs``: the tools on the path, the plugin
    registered, ``threads`` torch threads."""
    os.environ['OMP_NUM_THREADS'] = str(threads)
    sys.path[:0] = [HERE, osp.dirname(HERE)]
    import torch
    torch.set_num_threads(threads)
    import tdmi_mmpose  # noqa: F401


def run_one(name, seed, cfg, manifest):
    """Train (or reuse the checkpoint of) one run and evaluate it: the mAP
    of each subset and the seconds it took."""
    from demo import evaluate, train_or_reuse
    start = time.time()
    ckpt, _ = train_or_reuse(name, MODELS[name][0], cfg, manifest, False)
    result = evaluate(cfg, ckpt)
    with open(osp.join(cfg.work_dir, 'main_job_stamp.json')) as f:
        train_seconds = json.load(f).get('train_seconds')
    return dict({s: result[s]['Mean'] for s in SUBSETS},
                seconds=time.time() - start, train_seconds=train_seconds)


def main():
    args = parse_args()
    if args.plot:
        sys.path.insert(0, HERE)
        return plot_only(args.work_dir)
    if args.device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
    sys.path[:0] = [HERE, osp.dirname(HERE)]
    import tdmi_mmpose  # noqa: F401
    from demo import QUICK, default_data_root, job_config, stamp
    args.data_root = args.data_root or default_data_root(args.data_seed)

    from tdmi_mmpose.datasets.synthetic_videos import \
        generate_synthetic_videos
    os.makedirs(args.work_dir, exist_ok=True)
    manifest = generate_synthetic_videos(
        args.data_root, seed=args.data_seed,
        logger=lambda m: print(f'[ablation] {m}', flush=True),
        **(QUICK if args.quick else {}))
    record = osp.join(args.work_dir, 'runs.json')
    runs = read_runs(record)
    key_of = {}  # name -> the runs.json key of its budget
    budgets = set()  # epochs of the configs (one unless they differ)
    todo = []
    stamped = 0  # older records given their stamp
    stale = []  # recorded runs of a config changed since
    started_from = {}  # (name, seed) -> (checkpoint, stamp) of a run
    for name in args.names:
        own_epochs, warm_from = budget_and_base(name)
        for seed in range(args.seeds):
            args.seed = seed  # job_config reads the seed from args
            # the work dir names the budget, known once the config is read
            cfg = job_config(osp.join(SYN, MODELS[name][1]), args, None,
                             own_epochs or args.epochs)
            cfg.log_level = 'WARNING'
            if warm_from:
                # a warm start is stale when the run it starts from is
                ckpt, cfg.warm_start_stamp = started_from[warm_from, seed]
            # stamped before the work dir is set: a record holds when the
            # work dir is moved or named by another path
            want = stamp(cfg, manifest)
            if warm_from:
                cfg.model.init_cfg.checkpoint = ckpt
            epochs = cfg.train_cfg.max_epochs
            budgets.add(epochs)
            cfg.work_dir = osp.join(args.work_dir, name,
                                    f'e{epochs}_seed{seed}')
            started_from[name, seed] = (
                osp.join(cfg.work_dir, f'epoch_{epochs}.pth'), want)
            key = f'{name}/e{epochs}/d{args.data_seed}'
            key_of[name] = key
            entry = runs.get(key, {}).get(str(seed))
            stamped += entry is not None and 'stamp' not in entry
            if entry is not None and not same_run(entry, cfg, manifest,
                                                  want):
                stale.append(f'{MODELS[name][0]}, seed {seed}')
                entry = None
            if entry is None:
                todo.append((name, seed, cfg, key, want))
    identity = dict(
        epochs=sorted(budgets),
        data=dict(version=manifest['version'], params=manifest['params']))
    check_work_dir(args.work_dir, identity)
    if stamped:  # older records, now stamped: kept for the next call
        with open(record, 'w') as f:
            json.dump(runs, f, indent=1)
    for run in stale:
        print(f'[ablation] {run}: the recorded run was trained with another '
              'config or data; running it again', flush=True)
    total = len(todo)
    print(f'[ablation] {len(args.names)} models x {args.seeds} seeds: '
          f'{total} runs to do, {len(args.names) * args.seeds - total} '
          f'already done (in {record})', flush=True)
    t0, done = time.time(), 0

    def finished(name, seed, key, want, result):
        nonlocal done
        runs.setdefault(key, {})[str(seed)] = dict(result, stamp=want)
        with open(record, 'w') as f:
            json.dump(runs, f, indent=1)
        done += 1
        left = (time.time() - t0) / done * (total - done)
        print(f'[ablation]   {MODELS[name][0]}, seed {seed}: mAP all '
              f'{result["all"]:.1f}, degraded {result["degraded"]:.1f}, '
              f'clean {result["clean"]:.1f} ({result["seconds"]:.0f} s; '
              f'{done}/{total} done, about {left / 60:.0f} min left)',
              flush=True)

    # a warm start waits for the run it starts from (name, seed)
    waiting = {}
    queued = {(name, seed) for name, seed, *_ in todo}
    ready = []
    for run in todo:
        base = budget_and_base(run[0])[1]
        if base and (base, run[1]) in queued:
            waiting.setdefault((base, run[1]), []).append(run)
        else:
            ready.append(run)
    if args.jobs == 1:
        i = 0
        while ready:
            name, seed, cfg, key, want = ready.pop(0)
            i += 1
            print(f'[ablation] run {i}/{total}: {MODELS[name][0]}, seed '
                  f'{seed}, {cfg.train_cfg.max_epochs} epochs', flush=True)
            finished(name, seed, key, want,
                     run_one(name, seed, cfg, manifest))
            ready += waiting.pop((name, seed), [])
    elif todo:
        import multiprocessing
        from concurrent.futures import (FIRST_COMPLETED, ProcessPoolExecutor,
                                        wait)
        import torch
        threads = max(1, torch.get_num_threads() // args.jobs)
        print(f'[ablation] {args.jobs} runs at a time, {threads} CPU '
              f'thread(s) each', flush=True)
        # runs that others start from first, then the longest, so the last
        # run does not train alone on a free core: a video run takes about
        # 4x a single-frame one
        ready.sort(key=lambda run: ((run[0], run[1]) not in waiting,
                                    run[2].model.type ==
                                    'TopdownPoseEstimator'))
        with ProcessPoolExecutor(
                args.jobs, multiprocessing.get_context('spawn'),
                initializer=worker_init, initargs=(threads, )) as pool:
            futures, submitted = {}, 0

            def submit(runs):
                nonlocal submitted
                for name, seed, cfg, key, want in runs:
                    futures[pool.submit(run_one, name, seed, cfg,
                                        manifest)] = (name, seed, key, want)
                    submitted += 1
                    print(f'[ablation] run {submitted}/{total}: '
                          f'{MODELS[name][0]}, seed {seed}, '
                          f'{cfg.train_cfg.max_epochs} epochs (queued)',
                          flush=True)

            submit(ready)
            while futures:
                done_now, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done_now:
                    name, seed, key, want = futures.pop(future)
                    finished(name, seed, key, want, future.result())
                    submit(waiting.pop((name, seed), []))
    by_name = {name: {int(s): v for s, v in runs[key_of[name]].items()}
               for name in args.names if key_of[name] in runs}
    seeds = list(range(args.seeds))
    stats = aggregate(by_name, args.names, args.reference, seeds)
    splits = manifest['splits']
    meta = (f'PoseTrack mAP (PCKh@0.5, ground-truth boxes, mean of the 15 '
            f'joints) on the built-in validation videos '
            f'({splits["val"]["labelled_frames"]} labelled frames, '
            f'{splits["val"]["degraded_frames"]} degraded), K = '
            f'{args.seeds} training seeds (0..{args.seeds - 1}), data seed '
            f'{args.data_seed}, budget '
            f'{"/".join(map(str, identity["epochs"]))} epochs; '
            f'{time.strftime("%Y-%m-%d")}, {os.cpu_count()} CPU cores.')
    minutes = training_minutes(by_name, args.names, seeds)
    if minutes:
        meta += (' Training minutes: the training alone (evaluation not '
                 'counted), one run on '
                 f'{max(1, (os.cpu_count() or 1) // args.jobs)} CPU '
                 'thread(s); a warm start counts the single-frame training '
                 'it starts from.')
    md = markdown(stats, args.names, args.reference, meta, minutes)
    print('\n' + md, flush=True)
    results = dict(meta=meta, identity=identity, reference=args.reference,
                   stats=stats, train_minutes=minutes,
                   caption=f'{" ".join(["ablation.py"] + sys.argv[1:])}; '
                   f'{time.strftime("%Y-%m-%d")}',
                   runs={n: by_name[n] for n in by_name})
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(md + '\n')
    try:
        for out in write_figures(results, args.work_dir):
            print(f'[ablation] figure: {osp.relpath(out)}', flush=True)
    except ValueError as err:
        print(f'[ablation] no figure: {err}', flush=True)


if __name__ == '__main__':
    main()
