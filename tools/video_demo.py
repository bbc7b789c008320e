"""``tools/video_demo.py`` is now ``demo/video_demo.py``,
where mmpose keeps its demos. This old path runs it, with a note, for
one release."""
from tdmi_mmpose.utils.cli import run_moved

if __name__ == '__main__':
    run_moved(__file__, '../demo/video_demo.py')
