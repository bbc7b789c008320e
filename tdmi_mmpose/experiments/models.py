"""The named models of the experiments on the built-in videos: one table
(label, config, own budget, the run a warm start begins from), and where
their data and runs live."""
import os.path as osp
from typing import NamedTuple, Optional

from .params import package_configs

SYNTHETIC = osp.join('tdmi', 'synthetic')
PREFIX = 'tdmi_hrnet-w8_synthetic-videos-128x96'
# key frames the mAP is reported on: metric prefix -> subset
SUBSETS = (('posetrack', 'all'), ('degraded', 'degraded'),
           ('clean', 'clean'))
SUBSET_NAMES = tuple(subset for _, subset in SUBSETS)
COLUMNS = ('Head', 'Shoulder', 'Elbow', 'Wrist', 'Hip', 'Knee', 'Ankle',
           'Mean')
# --quick: small videos, for a check of a tool in about a minute
QUICK = dict(num_train_videos=6, num_val_videos=2, num_frames=12)
# The small detector's scores stay below 0.65: ByteTrack's thresholds
# (mmdet MOT17: tracks start at 0.7) are lowered to match.
BBOX_THR = 0.3
TRACK_THR = 0.4


class Model(NamedTuple):
    """A named model of the experiments.

    Args:
        label (str): How tables and figures name it.
        config (str): Its config, relative to ``configs/``.
        epochs (int, optional): A budget of its own (None: the call's).
        warm_from (str, optional): The model whose run of the same seed it
            is warm-started from (trained first).
        unlabelled (str, optional): An adaptation run's unlabelled videos:
            ``'train'``, the training videos with their labels unused, or
            ``'other'``, the training videos of another data seed
            (:mod:`.adaptation`).
    """
    label: str
    config: str
    epochs: Optional[int] = None
    warm_from: Optional[str] = None
    unlabelled: Optional[str] = None


def _syn(name):
    return osp.join(SYNTHETIC, name)


MODELS = {
    'single-frame': Model('mmpose single-frame HRNet',
                          _syn('hrnet-w8_synthetic-videos-128x96_'
                               'single-frame.py')),
    'tdmi': Model('TDMI (TDE + RDM + L_MI)', _syn(f'{PREFIX}.py')),
    'tdmi-no-mi': Model('TDMI without L_MI', _syn(f'{PREFIX}_no-mi.py')),
    'tdmi-reuse': Model('TDMI trained for feature reuse',
                        _syn(f'{PREFIX}_reuse.py')),
}
MODELS.update({
    name: Model(label, _syn(osp.join('ablations', f'{PREFIX}_{name}.py')))
    for name, label in (
        ('tde-only', 'TDE only (no RDM, no L_MI)'),
        ('tde-final-stage', 'TDE, final stage only'),
        ('tde-concat', 'TDE, concatenation'),
        ('tde-progressive', 'TDE, progressive without modulation'),
        ('rdm-split', 'RDM by channel splitting'),
        ('mi-no-un', 'L_MI without I(M_u;M_n)'),
        ('mi-no-mu', 'L_MI without -I(M;M_u)'),
        ('mi-no-uy', 'L_MI without I(M_u;y|F~)'),
        ('mi-no-fy', 'L_MI without I(F;y|F~)'),
        ('mi-distill-enhanced', 'L_MI, uy/fy pull F~ (M_u, F teach)'),
        ('mi-distill-both', 'L_MI, uy/fy pull both sides'),
        ('mi-alpha0.1', 'L_MI, alpha 0.1'),
        ('mi-tau0.5', 'L_MI, temperature 0.5'),
        ('mi-tau2', 'L_MI, temperature 2'),
    )
})
MODELS.update({
    'single-frame-e10': MODELS['single-frame']._replace(
        label='mmpose single-frame HRNet, 10 epochs', epochs=10),
    'tdmi-e10': MODELS['tdmi']._replace(
        label='TDMI from scratch, 10 epochs', epochs=10),
})
MODELS.update({
    f'warm-e{e}': Model(f'TDMI warm-started, +{e} epoch{"s" if e > 1 else ""}',
                        _syn(f'{PREFIX}_warm-start.py'), e, 'single-frame')
    for e in (1, 2, 5)
})
# TDMI adapted on unlabelled videos from the single-frame model (its
# teacher and warm start), tools/adapt.py's recipe at this size
ADAPT = f'{PREFIX}_adapt'
MODELS.update({
    'adapt-train': Model('TDMI adapted, training videos unlabelled',
                         _syn(f'{ADAPT}.py'), None, 'single-frame', 'train'),
    'adapt-other': Model('TDMI adapted, other unlabelled videos',
                         _syn(f'{ADAPT}.py'), None, 'single-frame', 'other'),
})
MODELS.update({
    f'adapt-other-{name}': Model(
        label, _syn(osp.join('ablations', f'{ADAPT}_{name}.py')), None,
        'single-frame', 'other')
    for name, label in (
        ('no-mi', 'TDMI adapted, other videos, without L_MI'),
        ('ema', 'TDMI adapted, other videos, EMA teacher'),
        ('no-thr', 'TDMI adapted, other videos, no confidence threshold'),
    )
})
# other names of a model (the main job's --models)
ALIASES = {'tdmi-warm': 'warm-e2'}
DETECTOR = Model('RTMDet-tiny person detector',
                 osp.join('detection',
                          'rtmdet-tiny_synthetic-videos-256x192.py'))

# the models `make demo` trains (warm-e2 is asked for by name)
MAIN_JOB_MODELS = ('single-frame', 'tdmi', 'tdmi-no-mi')
# named sets of the ablation tool: (models, reference)
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
    'adapt': (['single-frame', 'adapt-train', 'adapt-other', 'warm-e2',
               'tdmi'], 'single-frame'),
    'adapt-ablation': (['adapt-other', 'adapt-other-no-mi',
                        'adapt-other-ema', 'adapt-other-no-thr', 'warm-e2',
                        'tdmi', 'single-frame'], 'adapt-other'),
    'warm': (['single-frame', 'warm-e1', 'warm-e2', 'warm-e5', 'tdmi',
              'tdmi-e10', 'single-frame-e10'], 'tdmi'),
}

# paired differences a set reports besides those to its reference:
# (model, reference)
COMPARISONS = {
    'adapt': [('adapt-train', 'warm-e2'), ('adapt-other', 'warm-e2'),
              ('adapt-train', 'tdmi'), ('adapt-other', 'tdmi'),
              ('adapt-other', 'adapt-train')],
    'warm': [('warm-e5', 'tdmi-e10'), ('warm-e5', 'single-frame-e10')],
}


def canonical(name):
    """The table's name of ``name`` (an alias resolved)."""
    return ALIASES.get(name, name)


def label(name):
    """How tables and figures name a model (its name when it is not in the
    table)."""
    model = MODELS.get(canonical(name))
    return model.label if model else name


def config_path(name_or_model):
    """Absolute path of a model's config."""
    model = name_or_model if isinstance(name_or_model, Model) else \
        MODELS[canonical(name_or_model)]
    return osp.join(package_configs(), model.config)


def run_dir(work_dir, name, epochs, seed):
    """The work dir of one run of an experiment: ``WORK/name/eE_seedS``."""
    return osp.join(work_dir, name, f'e{epochs}_seed{seed}')


def checkpoint_path(run_work_dir, epochs):
    """The checkpoint a run of ``epochs`` epochs ends with."""
    return osp.join(run_work_dir, f'epoch_{epochs}.pth')


def tracker():
    """The ByteTrack the experiments run behind the small detector (its
    thresholds lowered to the detector's scores, see ``TRACK_THR``)."""
    from tdmi_mmpose.apis.inferencers import bytetrack
    return bytetrack(track_thr=TRACK_THR)
