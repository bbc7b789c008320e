"""One arguments and record path for the measuring tools: the options
they share (seeds, epochs, where the runs and the built-in videos are, the
record), their defaults relative to the folder the tool runs in, and the
step from parsed arguments to :class:`.params.ExperimentParams`, the run and
its record."""
import os.path as osp

from .params import ExperimentParams, Paths


def add_runs_args(parser, job=False):
    """``--seeds``, ``--epochs``, ``--ablation-dir``, ``--work-dir``,
    ``--data-root``, ``--data-seed``, ``--record`` (and ``--job``, the main
    job's work dir with its detector)."""
    parser.add_argument('--seeds', type=int, default=3,
                        help='training seeds 0..K-1, K >= 2 (default: 3)')
    parser.add_argument('--epochs', type=int, default=5,
                        help='budget of the ablation runs to load')
    paths = Paths.here()
    parser.add_argument('--ablation-dir', default=paths.work_dir('ablation'),
                        help="ablation.py's work dir (the checkpoints; "
                        'default: work_dirs/ablation)')
    if job:
        parser.add_argument('--job', default=paths.work_dir('main_job'),
                            help="the main job's work dir (the detector; "
                            'default: work_dirs/main_job)')
    parser.add_argument('--work-dir', default=None,
                        help='where to write (default: --ablation-dir)')
    parser.add_argument('--data-root',
                        help='the built-in videos (default: the main job\'s, '
                        'data/synthetic_videos, with _seedN added for '
                        '--data-seed N > 0)')
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument('--record',
                        help='also write the results as a docs record '
                        '(docs/en/records/NAME.json; see '
                        'tools/analysis/docs_tables.py)')


def finish_runs_args(parser, args):
    """Check ``--seeds`` and fill in the defaults that depend on others."""
    if args.seeds < 2:
        parser.error(f'--seeds {args.seeds}: K must be at least 2')
    args.work_dir = args.work_dir or args.ablation_dir
    args.data_root = (args.data_root or Paths.here().data_root(
        args.data_seed)).rstrip('/') + '/'
    return args


def finish_data_args(args, quick_epochs):
    """``--quick``: ``quick_epochs`` unless ``--epochs`` is given, the
    small videos in ``WORK_DIR/data``; otherwise ``--data-root`` or the
    default built-in videos of ``--data-seed``."""
    if args.quick:
        args.epochs = args.epochs or quick_epochs
        if args.data_root is None:
            args.data_root = osp.join(args.work_dir, 'data')
    args.data_root = args.data_root or Paths.here().data_root(
        args.data_seed)
    return args


def one_line_errors(main, tool):
    """Run a tool's ``main``; what the research application raises for the
    user to fix (:class:`.errors.ExperimentError`, a missing file) ends the
    tool with one line ``TOOL: error: ...`` (exit status 1)."""
    import sys

    from .errors import ExperimentError
    try:
        return main()
    except (ExperimentError, FileNotFoundError) as err:
        sys.exit(f'{tool}: error: {err}')


def run_and_record(args, run, tool):
    """Run a measurement on the parameters of the tool's parsed ``args``
    (the plugin registered first) and, with ``--record``, write its docs
    record as ``tool``; returns its results.

    Args:
        args (argparse.Namespace): The tool's arguments, checked and
            completed (:func:`finish_runs_args`, :func:`finish_data_args`).
        run (callable): The measurement, ``run(params) -> results``.
        tool (str): The record's kind (``'table'`` for a table of rows).
    """
    import tdmi_mmpose  # noqa: F401  (registers the plugin)

    from .docs import load, write_record
    params = ExperimentParams.from_args(args)
    started = load()
    results = run(params)
    if params.record:
        write_record(params.record, tool, results, started)
    return results
