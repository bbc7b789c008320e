"""Progress of a measurement through one logger: every line an experiment
says goes through :func:`log` (mmengine's logger ``tdmi_experiments``, on
standard output, with the time), and :class:`Progress` adds the count and
the time left of its runs."""
import functools
import time

from mmengine.logging import MMLogger, print_log

LOGGER = 'tdmi_experiments'


def log(tool, message):
    """Say ``[tool] message`` through the experiments' logger."""
    if MMLogger.check_instance_created(LOGGER):
        logger = MMLogger.get_instance(LOGGER)
    else:
        logger = MMLogger.get_instance(LOGGER, log_level='INFO')
    print_log(f'[{tool}] {message}', logger=logger)


def logger_of(tool):
    """``log`` for one tool, as callables that take a message (the
    generator of the built-in videos, the training steps) want it."""
    return functools.partial(log, tool)


class Progress:
    """Progress lines ``[tool] i/total: what, about N min left``.

    Args:
        tool (str): The prefix.
        total (int): Number of runs to do.
    """

    def __init__(self, tool, total):
        self.tool, self.total = tool, total
        self.done, self.t0 = 0, time.time()

    def left(self):
        """``', about N min left'`` once a run has finished, else ``''``."""
        if not self.done:
            return ''
        left = (time.time() - self.t0) / self.done * (self.total - self.done)
        return f', about {left / 60:.0f} min left'

    def start(self, index, what):
        """Say that run ``index`` (1-based) starts."""
        log(self.tool, f'{index}/{self.total}: {what}{self.left()}')

    def finish(self, what):
        """Say that a run finished, with the count and the time left."""
        self.done += 1
        log(self.tool, f'  {what} ({self.done}/{self.total} done'
            f'{self.left()})')
