"""The run record every experiment keeps: finished runs written at once,
so that a tool stopped half-way resumes where it was."""
import json
import os
import os.path as osp

from .errors import ExperimentError


class RunRecord:
    """Finished runs of a tool, ``{key: {seed: result}}`` in a JSON file,
    written after each run (atomically: a stop while writing leaves the
    previous file).

    Args:
        path (str): The JSON file (created on the first :meth:`put`).
        tool (str): The tool's name, for error messages.

    Raises:
        ExperimentError: the file is not JSON (naming it and what to do);
            the file is kept as it is.
    """

    def __init__(self, path, tool):
        self.path, self.tool = path, tool
        self.runs = {}
        if osp.isfile(path):
            with open(path) as f:
                try:
                    self.runs = json.load(f)
                except json.JSONDecodeError as err:
                    raise ExperimentError(
                        f'{path} is not valid JSON ({err}; a '
                        'run stopped while writing it?); it was kept as it '
                        'is: repair it, or move it away to run its runs '
                        'again (their checkpoints are reused)')

    def get(self, key, seed):
        """The result of ``key`` and ``seed``, or None."""
        return self.runs.get(key, {}).get(str(seed))

    def put(self, key, seed, result):
        """Record one finished run and write the file."""
        self.runs.setdefault(key, {})[str(seed)] = result
        self.save()

    def by_seed(self, key, seeds=None):
        """``{seed (int): result}`` of ``key``, only ``seeds`` if given."""
        return {int(s): v for s, v in self.runs.get(key, {}).items()
                if seeds is None or int(s) in seeds}

    def save(self):
        write_json(self.path, self.runs)


def write_json(path, data):
    """Write ``data`` as indented JSON (run records, results files, docs
    records), atomically: a stop while writing leaves the previous file.
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write('\n')
    os.replace(tmp, path)
