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


def frame_folder(folder):
    """The frame paths of a folder, in natural order of their names
    (``2.jpg`` before ``10.jpg``); other files are left out with one
    warning naming them.

    Raises:
        ValueError: the folder holds no frame.
    """
    import warnings
    frames = frame_files(folder)
    others = sorted(set(os.listdir(folder)) - set(frames))
    others = [f for f in others if osp.isfile(osp.join(folder, f))]
    if others:
        warnings.warn(f'{folder}: {len(others)} files that are not frames '
                      f'are left out ({", ".join(others[:3])}'
                      f'{", ..." if len(others) > 3 else ""})')
    if not frames:
        raise ValueError(f'{folder} holds no frame (.jpg, .jpeg, .png, '
                         '.bmp, .webp files)')
    return [osp.join(folder, f) for f in frames]
