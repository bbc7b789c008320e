"""HiEve's per-frame pose annotations (Pascal-VOC style XML, or the same
content as JSON) read into PoseTrack18 (COCO-style) images and
annotations; the format and the choices are described in
``tools/dataset_converters/hieve_to_coco.py``."""
import glob
import json
import os
import os.path as osp
import re
import xml.etree.ElementTree as ET

from .posetrack_format import KEYPOINTS, posetrack_frame, posetrack_person

# HiEve's joints (Table 1 of its format page, in its order) -> PoseTrack18
# joint names; Chest stands in for head_bottom.
HIEVE_JOINTS = {
    'Nose': 'nose', 'Chest': 'head_bottom',
    'Right-shoulder': 'right_shoulder', 'Right-elbow': 'right_elbow',
    'Right-wrist': 'right_wrist', 'Left-shoulder': 'left_shoulder',
    'Left-elbow': 'left_elbow', 'Left-wrist': 'left_wrist',
    'Right-hip': 'right_hip', 'Right-knee': 'right_knee',
    'Right-ankle': 'right_ankle', 'Left-hip': 'left_hip',
    'Left-knee': 'left_knee', 'Left-ankle': 'left_ankle'
}
BOX_KEYS = ('xmin', 'ymin', 'xmax', 'ymax')


def _key(name):
    """Joint names compared without case, '-', '_' or spaces."""
    return re.sub(r'[-_ ]', '', name).lower()


JOINT_BY_KEY = {_key(name): name for name in HIEVE_JOINTS}


def element_to_dict(elem):
    """A VOC-style XML element as the page's JSON: leaves are strings,
    repeated children (``object``) lists."""
    children = list(elem)
    if not children:
        return (elem.text or '').strip()
    out = {}
    for child in children:
        value = element_to_dict(child)
        if child.tag in out:
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def read_frame_file(path):
    """The ``annotation`` dict of one frame file (.xml or .json)."""
    try:
        if path.endswith('.xml'):
            root = ET.parse(path).getroot()
            data = {root.tag: element_to_dict(root)}
        else:
            with open(path) as f:
                data = json.load(f)
    except (ET.ParseError, json.JSONDecodeError) as err:
        raise ValueError(f'{path} cannot be read as a HiEve annotation '
                         f'({err})') from None
    if not isinstance(data, dict) or 'annotation' not in data:
        raise ValueError(f'{path} has no "annotation" root: HiEve frame '
                         'files hold annotation/{folder, filename, size, '
                         'object}')
    return data['annotation']


def _numbers(text, count, where):
    try:
        values = [float(v) for v in str(text).split(',')]
    except ValueError:
        values = []
    if len(values) != count:
        raise ValueError(f'{where}: {text!r} is not {count} comma-separated '
                         'numbers')
    return values


def read_person(obj, where):
    """PoseTrack18 keypoints (51 values), annotated-joint count, person
    box ``[x, y, w, h]``, head box and track id of one HiEve object."""
    name = str(obj.get('name', ''))
    match = re.fullmatch(r'P-(\d+)', name.strip())
    if match is None:
        raise ValueError(f'{where}: name {name!r} is not P-<track id>')
    where = f'{where}, {name}'
    box = obj.get('bndbox')
    if not isinstance(box, dict) or any(k not in box for k in BOX_KEYS):
        raise ValueError(f'{where}: bndbox needs xmin, ymin, xmax, ymax')
    x1, y1, x2, y2 = (_numbers(box[k], 1, f'{where}, {k}')[0]
                      for k in BOX_KEYS)
    kpts = [0.0] * (3 * len(KEYPOINTS))
    num = 0
    for key, value in box.items():
        if key in BOX_KEYS:
            continue
        joint = JOINT_BY_KEY.get(_key(key))
        if joint is None:
            raise ValueError(f'{where}: unknown joint {key!r}; HiEve\'s '
                             f'joints are {", ".join(HIEVE_JOINTS)}')
        x, y, flag = _numbers(value, 3, f'{where}, {key}')
        if flag >= 0:  # 0 visible, 1 invisible; -1 not annotated
            j = KEYPOINTS.index(HIEVE_JOINTS[joint])
            kpts[3 * j:3 * j + 3] = [x, y, 1.0]
            num += 1
    nose, chest = (KEYPOINTS.index(n) for n in ('nose', 'head_bottom'))
    if kpts[3 * nose + 2] and kpts[3 * chest + 2]:
        (nx, ny), (cx, cy) = kpts[3 * nose:3 * nose + 2], kpts[
            3 * chest:3 * chest + 2]
        side = max(1.0, ((nx - cx)**2 + (ny - cy)**2)**.5)
        head = [nx - side / 2, ny - side / 2, side, side]
    else:
        side = max(1.0, (y2 - y1) / 7)
        head = [(x1 + x2) / 2 - side / 2, y1, side, side]
    return kpts, num, [x1, y1, x2 - x1, y2 - y1], head, int(match[1])


def convert(ann_dir, image_prefix):
    """PoseTrack18 images and annotations of every video folder of
    ``ann_dir``, and ``(annotated filename, converted file_name)`` of
    every frame."""
    videos = sorted(d for d in glob.glob(osp.join(ann_dir, '*'))
                    if osp.isdir(d))
    if not videos:
        raise FileNotFoundError(f'no video folders in {ann_dir}: HiEve\'s '
                                'ground truth has one folder of frame files '
                                '(000000.xml, ...) per video')
    images, annotations, frame_files = [], [], []
    for video_id, folder in enumerate(videos, 1):
        video = osp.basename(folder)
        files = sorted(f for f in glob.glob(osp.join(folder, '*'))
                       if re.fullmatch(r'\d+\.(xml|json)', osp.basename(f)))
        if not files:
            raise FileNotFoundError(f'{folder} holds no frame files named '
                                    'like 000000.xml')
        numbers = [int(osp.basename(f).split('.')[0]) for f in files]
        nframes = max(numbers) + 1
        for n, path in zip(numbers, files):
            ann = read_frame_file(path)
            size = ann.get('size') or {}
            try:
                width, height = int(size['width']), int(size['height'])
            except (KeyError, TypeError, ValueError):
                raise ValueError(f'{path}: size needs width and height '
                                 f'(got {size!r})') from None
            img_id = video_id * 1000000 + n
            name = osp.join(image_prefix, video, f'{n:06d}.jpg')
            frame_files.append((osp.join(image_prefix, video,
                                         ann.get('filename', f'{n}.jpg')),
                                name))
            images.append(posetrack_frame(img_id, name, video, nframes,
                                          width, height))
            objects = ann.get('object') or []
            for obj in objects if isinstance(objects, list) else [objects]:
                kpts, num, box, head, track = read_person(
                    obj, f'{path}')
                if num == 0 or box[2] <= 0 or box[3] <= 0:
                    continue
                annotations.append(posetrack_person(
                    len(annotations) + 1, img_id, track, kpts, num, box,
                    head))
    return images, annotations, frame_files


def link_frames(data_root, frame_files):
    """Symlink each annotated frame (``0.jpg``) under its 6-digit name
    (``000000.jpg``); originals stay."""
    for old, new in frame_files:
        source, target = (osp.join(data_root, p) for p in (old, new))
        if source != target and not osp.exists(target) and osp.exists(
                source):
            os.symlink(osp.basename(source), target)
