"""The explicit inputs of a measurement: where things are (the package's
configs, :func:`package_configs`; the checkout's docs and test data,
:data:`CHECKOUT`; the folders of the run, :class:`Paths`) and what it runs
on (:class:`ExperimentParams`). The tools build them from their arguments;
the experiments read nothing else (no argparse namespace passes into them,
no folder is found from this file's place except the checkout's own docs
and test data)."""
import functools
import os.path as osp
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple, Optional

# The checkout the research application runs from (it is not in the wheel):
# its docs pages and records, its test data.
CHECKOUT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@functools.lru_cache(maxsize=None)
def package_configs():
    """The package's configs, found as the model zoo finds them (the
    checkout's for a development install, ``.mim/configs`` otherwise)."""
    from mmengine.infer import BaseInferencer
    return osp.join(BaseInferencer._get_repo_or_mim_dir('tdmi_mmpose'),
                    'configs')


class Paths(NamedTuple):
    """Where a run puts its runs, results and built-in videos: the folder
    the tool runs in, as mmpose's tools write theirs.

    Args:
        work_dirs (str): Runs and results (``work_dirs``).
        data (str): The built-in videos (``data``).
    """
    work_dirs: str
    data: str

    @classmethod
    def here(cls):
        """The paths of a tool run in the current folder."""
        return cls(osp.abspath('work_dirs'), osp.abspath('data'))

    def work_dir(self, name):
        """``work_dirs/<name>``."""
        return osp.join(self.work_dirs, name)

    def data_root(self, data_seed=0):
        """Where the built-in videos of ``data_seed`` go by default: the
        main job's for seed 0, a folder of their own for the others (so
        another data seed does not rebuild the main job's videos)."""
        suffix = f'_seed{data_seed}' if data_seed else ''
        return osp.join(self.data, f'synthetic_videos{suffix}')


@dataclass(frozen=True)
class ExperimentParams:
    """What a measurement runs on, built once by its tool
    (:meth:`from_args`) and never changed after.

    Args:
        work_dir (str, optional): Where its results are written.
        data_root (str, optional): The built-in videos (generated there if
            missing).
        data_seed (int): Their seed. Default: 0.
        seeds (int): Training seeds ``0..seeds-1``. Default: 3.
        epochs (int, optional): The runs' budget (None: each config's).
        ablation_dir (str, optional): The ablation tool's runs.
        job (str, optional): A main job's work dir (its detector).
        record (str, optional): The docs record to write.
        options (Mapping): The tool's own options (the models, boxes,
            device...), read as attributes (``params.models``); read-only.
    """
    work_dir: Optional[str] = None
    data_root: Optional[str] = None
    data_seed: int = 0
    seeds: int = 3
    epochs: Optional[int] = None
    ablation_dir: Optional[str] = None
    job: Optional[str] = None
    record: Optional[str] = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, 'options',
                           MappingProxyType(dict(self.options)))

    def __getattr__(self, name):
        options = self.__dict__.get('options', {})
        if name in options:
            return options[name]
        raise AttributeError(f'the measurement asked for {name!r}, which '
                             'its tool does not set')

    @classmethod
    def from_args(cls, namespace):
        """The parameters of a tool's parsed arguments (``namespace``):
        the shared ones by name, every other option in :attr:`options`."""
        given = dict(vars(namespace))
        shared = {f.name: given.pop(f.name) for f in fields(cls)
                  if f.name != 'options' and f.name in given}
        return cls(**shared, options=given)
