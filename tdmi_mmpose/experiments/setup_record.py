"""The first set-up's time per phase as a docs record: written by
``tools/env/setup_env.sh`` (``make env``) when ``TDMI_SETUP_RECORD`` names
the record (e.g. ``docs/en/records/setup.json``)."""
import sys
import time

from .docs import load, machine
from .records import write_json


def setup_record(path, total, built, size, cxx_opt, start_load, phases):
    """Write the record.

    Args:
        path (str): The record.
        total (int): Seconds of the whole set-up.
        built (str): The wheels compiled in this run (``'none'``: all came
            from the wheel cache).
        size (str): The environment's size on disk (``du -sh``).
        cxx_opt (str): The optimisation level of mmcv's ops.
        start_load (str): The load average when the set-up started.
        phases (list[str]): ``'name=seconds'`` per phase, in order.
    """
    rows = [[name, int(sec)] for name, sec in
            (p.rsplit('=', 1) for p in phases)] + [['total', int(total)]]
    note = (f'Compiled in this run: {built.replace(",", ", ")} ("none": '
            f'every compiled wheel came from the wheel cache); mmcv\'s ops '
            f'at {cxx_opt}; the environment takes {size} on disk. torch and '
            'torchvision (a CUDA build, several GB) and the rest of '
            'requirements/ come from the package index or its local cache.')
    write_json(path, dict(
        tool='table', command='tools/env/setup_env.sh (make env)',
        date=time.strftime('%Y-%m-%d'), machine=machine(),
        load=f'load average {start_load} at the start, {load()} at the end',
        source='measured',
        results=dict(header=['phase', 'seconds'], align=['---', '---:'],
                     rows=rows, note=note)))


if __name__ == '__main__':
    path, total, built, size, cxx_opt, start_load, *phases = sys.argv[1:]
    setup_record(path, total, built, size, cxx_opt, start_load, phases)
