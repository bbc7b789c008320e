"""``tools/demo.py`` is now ``tools/main_job.py`` (the main job, not a
demo; ``make demo`` still runs it). This old path runs it, with a note,
for one release."""
from tdmi_mmpose.utils.cli import run_moved

if __name__ == '__main__':
    run_moved(__file__, 'main_job.py')
