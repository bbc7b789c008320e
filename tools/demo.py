"""``tools/demo.py`` is now ``tools/main_job.py`` (the main job, not a
demo; ``make demo`` still runs it). This old path runs it, with a note,
for one release."""
import os.path as osp
import runpy
import sys


def main():
    print('tools/demo.py is now tools/main_job.py (the old path goes in '
          'the next release)', file=sys.stderr)
    runpy.run_path(osp.join(osp.dirname(osp.abspath(__file__)),
                            'main_job.py'), run_name='__main__')


if __name__ == '__main__':
    main()
