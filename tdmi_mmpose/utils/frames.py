"""Frames of a folder, in the order people number them."""
import os
import os.path as osp
import re

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def natural_key(name):
    """Sort key reading digit runs as numbers (``2.jpg`` before
    ``10.jpg``)."""
    return [int(t) if t.isdigit() else t.lower()
            for t in re.split(r'(\d+)', name)]


def frame_files(folder):
    """The image files of a frame folder, in natural order of their
    names (``2.jpg`` before ``10.jpg``)."""
    return sorted((f for f in os.listdir(folder)
                   if f.lower().endswith(IMAGE_EXTS)
                   and osp.isfile(osp.join(folder, f))), key=natural_key)
