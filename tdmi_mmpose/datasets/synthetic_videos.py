"""The built-in video pose dataset: articulated people rendered into short
clips, written in the PoseTrack18 format, so that everything runs offline.

Temporal pose models exist for frames that a single-frame model cannot read:
a motion-blurred, defocused, dark or partly covered key frame whose
neighbours are sharp. The generator renders exactly that situation, with
the structure of PoseTrack around it:

* **people**: 1-3 articulated figures per video with human proportions
  (head, torso, two-segment arms and legs) and the 17 PoseTrack joints;
  body yaw is rendered in 3D (the far limbs are darker and drawn behind
  the torso, the face is visible only from the front), so left and right
  are told apart the way they are in real images;
* **motions**: walking, arm waving, turning on the spot and crouching, at
  random speeds and phases; walkers cross the frame in both directions, so
  people pass in front of each other (the nearer, larger one occludes);
* **scene**: a textured background (smooth noise, buildings, a ground
  plane) seen through a panning camera, sensor noise and JPEG compression;
  with some probability an unannotated distant person covered by an
  ignore region;
* **labels**: every ``label_every``-th frame is labelled (PoseTrack labels
  a subset of frames); ears are not annotated (as in PoseTrack); each
  person has ``bbox`` (with ``area``, so that mmdet reads the files as
  COCO detection data), ``bbox_head`` and ``track_id``;
* **degradations**: a labelled key frame is degraded with probability
  ``degrade_prob`` by one or two of motion blur, defocus, darkness (with
  noise) and occluders placed over a person, while the ``delta`` frames on
  each side stay clean (degraded frames are at least ``delta + 1``
  apart). Each degraded image lists its degradations in ``degradations``.

Files (``root``)::

    images/{train,val}/<video>/000000.jpg ...     6-digit, 0-based frames
    annotations/{train,val}/<video>.json          one file per video
    annotations/synthetic_{train,val}.json        merged
    annotations/synthetic_val_{degraded,clean}.json   val, only the
        degraded (clean) labelled frames marked ``is_labeled``
    annotations/synthetic_val_human_detections.json   COCO result format
    manifest.json                                 parameters and the
        generator's version; a matching manifest means the files are reused

Everything is drawn from ``numpy.random.default_rng`` seeded per video, so
a seed gives identical files.
"""
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np

from .converters.posetrack_format import (posetrack_file, posetrack_frame,
                                         posetrack_person)

# The generator's identity: the runs of the ablation tool and the main job
# are tied to it. Change it with anything that changes the output (a test
# pins the output of a small set to it).
GENERATOR_VERSION = 'dc6310a4f61706a4'
INFO = dict(description='tdmi_mmpose built-in video pose dataset')
MOTIONS = ('walk', 'wave', 'turn', 'crouch')
DEGRADATIONS = ('motion_blur', 'defocus', 'dark', 'occluder')

DEFAULTS = dict(seed=0, num_train_videos=40, num_val_videos=12,
                num_frames=24, width=384, height=288, max_people=3,
                label_every=2, delta=2, degrade_prob=0.9,
                ignore_region_prob=0.25)

# Body proportions as fractions of the standing height.
_BODY = dict(head_r=0.065, neck=0.82, shoulder_y=0.78, hip_y=0.50,
             shoulder_w=0.115, hip_w=0.075, upper_arm=0.17, forearm=0.15,
             thigh=0.245, shin=0.235, arm_t=0.045, leg_t=0.06)


def _rot_x(v, angle):
    """Rotate 3D direction ``v`` (x lateral, y down, z to the camera)
    about the lateral axis: positive swings a hanging limb forward."""
    x, y, z = v
    c, s = np.cos(angle), np.sin(angle)
    return np.array([x, c * y - s * z, s * y + c * z])


def _limb(start, swing, abduct, side, length, flex=0.0):
    """End of a two-segment limb's segment from ``start`` (body frame):
    hanging down, swung forward by ``swing``, raised sideways by
    ``abduct`` (towards ``side``, +1 the person's left)."""
    d = np.array([side * np.sin(abduct), np.cos(abduct), 0.0])
    return start + length * _rot_x(d, swing + flex)


def body_pose(motion, t, params):
    """3D joints ``(17, 3)`` of one person at time ``t`` in a body frame
    (units of the standing height; x the person's left, y down, z forward)
    and the body's yaw, for one of :data:`MOTIONS`."""
    b = _BODY
    ph = params['phase'] + params['omega'] * t
    sw = np.sin(ph)
    arm_sw = dict(l=0.0, r=0.0)
    arm_ab = dict(l=0.12, r=0.12)
    el_flex = dict(l=0.25, r=0.25)
    leg_sw = dict(l=0.0, r=0.0)
    knee = dict(l=0.05, r=0.05)
    yaw = params['yaw']
    lean = 0.0
    if motion == 'walk':
        amp = params['amp']
        leg_sw = dict(l=amp * sw, r=-amp * sw)
        knee = dict(l=0.1 + 0.6 * max(0.0, -np.cos(ph)),
                    r=0.1 + 0.6 * max(0.0, np.cos(ph)))
        arm_sw = dict(l=-0.8 * amp * sw, r=0.8 * amp * sw)
        el_flex = dict(l=0.4, r=0.4)
    elif motion == 'wave':
        for s in params['wave_arms']:
            arm_ab[s] = 2.3 + 0.35 * np.sin(ph)
            el_flex[s] = 0.2
            arm_sw[s] = 0.3 * np.cos(ph)
    elif motion == 'turn':
        yaw = params['yaw'] + params['yaw_rate'] * t
        arm_ab = dict(l=0.35, r=0.35)
        arm_sw = dict(l=0.3 * sw, r=-0.3 * sw)
    elif motion == 'crouch':
        depth = params['amp'] * (0.5 - 0.5 * np.cos(ph))  # 0..amp
        leg_sw = dict(l=1.1 * depth, r=1.1 * depth)
        knee = dict(l=-2.0 * depth, r=-2.0 * depth)
        arm_sw = dict(l=1.2 * depth, r=1.2 * depth)
        lean = 0.5 * depth
    j = np.zeros((17, 3))
    hip_c = np.array([0.0, -b['hip_y'], 0.0])
    up = _rot_x(np.array([0.0, -1.0, 0.0]), lean)
    torso = b['shoulder_y'] - b['hip_y']
    sh_c = hip_c + torso * up
    neck = hip_c + (b['neck'] - b['hip_y']) * up
    head_c = neck + b['head_r'] * 1.1 * up
    j[1] = neck
    j[2] = head_c + b['head_r'] * up
    j[0] = head_c + np.array([0.0, 0.2 * b['head_r'], 0.9 * b['head_r']])
    limbs = (('l', 1, 5, 7, 9, 11, 13, 15), ('r', -1, 6, 8, 10, 12, 14, 16))
    for side, s, sh, el, wr, hp, kn, an in limbs:
        j[sh] = sh_c + np.array([s * b['shoulder_w'], 0, 0])
        j[el] = _limb(j[sh], arm_sw[side] + lean, arm_ab[side], s,
                      b['upper_arm'])
        j[wr] = _limb(j[el], arm_sw[side] + lean, arm_ab[side], s,
                      b['forearm'], el_flex[side])
        j[hp] = hip_c + np.array([s * b['hip_w'], 0, 0])
        j[kn] = _limb(j[hp], leg_sw[side], 0.04, s, b['thigh'])
        j[an] = _limb(j[kn], leg_sw[side], 0.04, s, b['shin'], knee[side])
    j[:, 1] -= j[[15, 16], 1].max()  # feet on the ground (y = 0)
    return j, yaw


def project(joints3d, yaw, height, root):
    """Image coordinates ``(17, 2)`` and depth ``(17,)`` (larger = nearer
    the camera) of body-frame joints turned by ``yaw`` (0: facing the
    camera, whose image x is the person's left)."""
    c, s = np.cos(yaw), np.sin(yaw)
    x = joints3d[:, 0] * c + joints3d[:, 2] * s
    depth = -joints3d[:, 0] * s + joints3d[:, 2] * c
    xy = np.stack([x, joints3d[:, 1]], 1) * height + np.asarray(root)
    return xy, depth


def _shade(color, factor):
    return tuple(int(np.clip(c * factor, 0, 255)) for c in color)


def draw_person(img, xy, depth, height, colors):
    """Render one person (far limbs darker and behind the torso)."""
    b = _BODY
    at = max(2, int(b['arm_t'] * height))
    lt = max(2, int(b['leg_t'] * height))
    p = np.round(xy).astype(np.int32)
    facing = depth[0] > depth[2] - 1e-6  # nose in front of head top

    def seg(i, k, color, t):
        cv2.line(img, tuple(p[i]), tuple(p[k]), _shade(color, 0.6), t + 2,
                 cv2.LINE_AA)
        cv2.line(img, tuple(p[i]), tuple(p[k]), color, t, cv2.LINE_AA)
        cv2.circle(img, tuple(p[k]), t // 2, color, -1, cv2.LINE_AA)

    def side(s, dark):
        f = 0.7 if dark else 1.0
        sh, el, wr, hp, kn, an = ((5, 7, 9, 11, 13, 15) if s == 'l' else
                                  (6, 8, 10, 12, 14, 16))
        legs = [(hp, kn, _shade(colors['pants'], f), lt),
                (kn, an, _shade(colors['pants'], 0.9 * f), lt)]
        arms = [(sh, el, _shade(colors['shirt'], f), at),
                (el, wr, _shade(colors['skin'], f), at)]
        return legs, arms, an

    near_left = depth[5] + depth[11] >= depth[6] + depth[12]
    far, near = ('r', 'l') if near_left else ('l', 'r')
    for s, dark in ((far, True), ):
        legs, arms, an = side(s, dark)
        for a in legs + arms:
            seg(*a)
        cv2.circle(img, tuple(p[an]), lt // 2 + 1,
                   _shade(colors['shoes'], 0.7), -1, cv2.LINE_AA)
    torso = p[[5, 6, 12, 11]]
    cv2.fillConvexPoly(img, torso, colors['shirt'], cv2.LINE_AA)
    cv2.polylines(img, [torso], True, _shade(colors['shirt'], 0.6), 1,
                  cv2.LINE_AA)
    legs, arms, an = side(near, False)
    for a in legs + arms:
        seg(*a)
    cv2.circle(img, tuple(p[an]), lt // 2 + 1, colors['shoes'], -1,
               cv2.LINE_AA)
    # neck and head
    cv2.line(img, tuple(p[1]), tuple(((p[5] + p[6]) // 2)), colors['skin'],
             at, cv2.LINE_AA)
    r = max(2, int(b['head_r'] * height))
    centre = tuple(((p[1] + p[2]) // 2))
    cv2.circle(img, centre, r, colors['skin'], -1, cv2.LINE_AA)
    cv2.ellipse(img, centre, (r, r), 0, 180, 360, colors['hair'], -1,
                cv2.LINE_AA)
    if facing:
        off = p[0] - np.array(centre)
        for e in (-1, 1):
            eye = np.array(centre) + off * 0.5 + np.array([e * r // 3, 0])
            cv2.circle(img, tuple(eye.astype(int)), max(1, r // 6),
                       (30, 30, 30), -1)
        cv2.circle(img, tuple(p[0]), max(1, r // 5), _shade(
            colors['skin'], 0.75), -1)
    else:
        cv2.circle(img, centre, r, colors['hair'], -1, cv2.LINE_AA)


def _background(rng, width, height):
    """Smooth noise, buildings and a ground plane, ``(height, width, 3)``."""
    low = rng.uniform(0, 255, (max(2, height // 40), max(2, width // 40), 3))
    img = cv2.resize(low.astype(np.float32), (width, height),
                     interpolation=cv2.INTER_CUBIC)
    img = 0.5 * img + 0.5 * rng.uniform(60, 200, 3)
    horizon = int(height * rng.uniform(0.45, 0.65))
    x = 0
    while x < width:
        w = int(rng.uniform(30, 120))
        top = int(horizon - rng.uniform(20, horizon * 0.9))
        color = rng.uniform(40, 220, 3)
        img[top:horizon, x:x + w] = color
        for _ in range(int(rng.integers(0, 6))):  # windows
            wx, wy = x + rng.uniform(0, w), rng.uniform(top, horizon)
            img[int(wy):int(wy) + 6, int(wx):int(wx) + 5] = color * 0.5
        x += w + int(rng.uniform(0, 40))
    ground = rng.uniform(60, 160, 3)
    img[horizon:] = ground + rng.normal(0, 12, (height - horizon, width, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def _random_person(rng, index, world_w, cam0, width, height):
    motion = MOTIONS[int(rng.integers(len(MOTIONS)))]
    h = float(rng.uniform(0.42, 0.62) * height)
    ground = height * rng.uniform(0.88, 0.97)
    x = cam0 + rng.uniform(0.15, 0.85) * width
    params = dict(phase=float(rng.uniform(0, 2 * np.pi)),
                  omega=float(rng.uniform(0.25, 0.5)),
                  amp=float(rng.uniform(0.35, 0.6)),
                  yaw=float(rng.uniform(-0.6, 0.6)),
                  yaw_rate=float(rng.choice([-1, 1]) * rng.uniform(0.1, 0.2)),
                  wave_arms=['l', 'r'][:int(rng.integers(1, 3))]
                  if rng.random() < 0.5 else ['r'])
    vx = 0.0
    if motion == 'walk':
        direction = float(rng.choice([-1, 1]))
        params['yaw'] = direction * float(rng.uniform(1.1, 1.5))
        vx = -direction * params['omega'] * h * 0.09
        # start on the side the walker leaves from, so that walkers cross
        x = cam0 + width * (0.5 + direction * rng.uniform(0.2, 0.4))
    elif motion == 'crouch':
        params['omega'] = float(rng.uniform(0.2, 0.35))
        params['amp'] = float(rng.uniform(0.5, 0.9))
    colors = dict(
        shirt=tuple(int(c) for c in rng.integers(30, 240, 3)),
        pants=tuple(int(c) for c in rng.integers(20, 200, 3)),
        skin=tuple(int(c) for c in rng.integers(90, 230) *
                   np.array([0.75, 0.85, 1.0])),
        hair=tuple(int(c) for c in rng.integers(10, 90, 3)),
        shoes=tuple(int(c) for c in rng.integers(0, 80, 3)))
    return dict(track_id=index, motion=motion, height=h, ground=ground, x=x,
                vx=vx, params=params, colors=colors)


def _degrade(img, kinds, rng, people_xy):
    """Apply the degradations ``kinds`` to one frame."""
    out = img.astype(np.float32)
    if 'occluder' in kinds and people_xy:
        for _ in range(int(rng.integers(1, 3))):
            xy = people_xy[int(rng.integers(len(people_xy)))]
            cx, cy = xy[int(rng.integers(5, 17))]
            size = np.ptp(xy[:, 1]) * rng.uniform(0.25, 0.45)
            w, h = size * rng.uniform(0.6, 1.4), size * rng.uniform(0.6, 1.4)
            color = rng.uniform(0, 255, 3)
            x0, y0 = int(cx - w / 2), int(cy - h / 2)
            if rng.random() < 0.5:
                cv2.rectangle(out, (x0, y0), (int(x0 + w), int(y0 + h)),
                              color.tolist(), -1)
            else:
                cv2.ellipse(out, (int(cx), int(cy)), (int(w / 2), int(h / 2)),
                            float(rng.uniform(0, 180)), 0, 360,
                            color.tolist(), -1)
    if 'motion_blur' in kinds:
        length = int(rng.integers(11, 23))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5),
                                      float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        out = cv2.filter2D(out, -1, kernel / max(kernel.sum(), 1e-6))
    if 'defocus' in kinds:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(3.5, 6.0)))
    if 'dark' in kinds:
        out = out * rng.uniform(0.12, 0.25) + rng.normal(0, 5, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def _box(points, pad):
    x0, y0 = points.min(0) - pad
    x1, y1 = points.max(0) + pad
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def render_video(split, index, params, root):
    """Render one video; returns its PoseTrack18-format dict."""
    p = params
    seed = [p['seed'], 0 if split == 'train' else 1, index]
    rng = np.random.default_rng(seed)
    w, h, n = p['width'], p['height'], p['num_frames']
    pan = float(rng.uniform(-3, 3))
    margin = int(abs(pan) * n) + 8
    world_w = w + 2 * margin
    bg = _background(rng, world_w, h + 8)
    cam0 = margin
    vid_id = f'{index:06d}'
    video = f'{vid_id}_synthetic_{split}'
    num_people = int(rng.integers(1, p['max_people'] + 1))
    people = [_random_person(rng, i, world_w, cam0, w, h)
              for i in range(num_people)]
    ignore = None
    if rng.random() < p['ignore_region_prob']:
        bx = float(rng.uniform(0.1, 0.8) * w)
        by = float(rng.uniform(0.3, 0.5) * h)
        ignore = dict(x=bx, y=by, height=float(h * 0.12),
                      colors=_random_person(rng, 99, world_w, cam0, w,
                                            h)['colors'])
    labelled = list(range(0, n, p['label_every']))
    spacing = p['delta'] + 1  # no degraded frame in another's window
    degraded = {}
    last = -spacing
    for f in labelled:
        if f - last >= spacing and rng.random() < p['degrade_prob']:
            k = int(rng.integers(1, 3))
            kinds = list(rng.choice(DEGRADATIONS, size=k, replace=False))
            degraded[f] = sorted(kinds)
            last = f
    folder = osp.join('images', split, video)
    os.makedirs(osp.join(root, folder), exist_ok=True)
    images, anns = [], []
    for f in range(n):
        cam_x = cam0 + pan * f
        cam_y = 4 + 2 * np.sin(0.3 * f)
        M = np.float32([[1, 0, -cam_x], [0, 1, -cam_y]])
        img = cv2.warpAffine(bg, M, (w, h), flags=cv2.INTER_LINEAR)
        if ignore is not None:
            j3, yaw = body_pose('walk', f, dict(
                phase=0, omega=0.4, amp=0.4, yaw=1.3, yaw_rate=0,
                wave_arms=[]))
            xy, dep = project(j3, yaw, ignore['height'],
                              (ignore['x'], ignore['y'] + ignore['height']))
            draw_person(img, xy, dep, ignore['height'], ignore['colors'])
        poses = []
        for person in people:
            j3, yaw = body_pose(person['motion'], f, person['params'])
            root_xy = (person['x'] + person['vx'] * f - cam_x,
                       person['ground'] - cam_y)
            xy, dep = project(j3, yaw, person['height'], root_xy)
            poses.append((person, xy, dep))
        for person, xy, dep in sorted(poses, key=lambda q: q[0]['height']):
            draw_person(img, xy, dep, person['height'], person['colors'])
        img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(
            np.uint8)
        if f in degraded:
            img = _degrade(img, degraded[f], rng, [q[1] for q in poses])
        cv2.imwrite(osp.join(root, folder, f'{f:06d}.jpg'), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 90])
        image_id = int(f'1{vid_id}{f:04d}')
        regions = []
        if ignore is not None:
            x0, y0 = ignore['x'] - ignore['height'] * 0.5, ignore['y'] - 4
            x1 = ignore['x'] + ignore['height'] * 0.5
            y1 = ignore['y'] + ignore['height'] + 4
            regions = [([x0, x1, x1, x0], [y0, y0, y1, y1])]
        images.append(posetrack_frame(
            image_id, f'{folder}/{f:06d}.jpg', vid_id, n, w, h,
            is_labeled=f in labelled, ignore_regions=regions,
            degradations=degraded.get(f, [])))
        if f not in labelled:
            continue
        for person, xy, dep in poses:
            inside = ((xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0)
                      & (xy[:, 1] < h))
            vis = inside.copy()
            vis[[3, 4]] = False  # PoseTrack does not annotate the ears
            if vis.sum() < 3:
                continue
            kpts = np.concatenate([np.where(vis[:, None], xy, 0),
                                   vis[:, None].astype(float)], 1)
            r = _BODY['head_r'] * person['height']
            head = 0.5 * (xy[1] + xy[2])  # the drawn head's centre
            box = [round(v, 2) for v in _box(xy[vis], 0.6 * r)]
            anns.append(posetrack_person(
                int(f'{image_id}{person["track_id"]:02d}'), image_id,
                person['track_id'],
                np.round(kpts, 2).reshape(-1).tolist(), int(vis.sum()), box,
                [round(v, 2) for v in _box(head[None], 1.2 * r)],
                motion=person['motion']))
    return video, posetrack_file(images, anns, info=INFO)


def _detections(merged, rng):
    """Person boxes as a detector would give them: jittered ground-truth
    boxes with scores, a few misses and low-scoring false positives."""
    dets = []
    for ann in merged['annotations']:
        if rng.random() < 0.03:
            continue
        x, y, w, h = ann['bbox']
        j = rng.normal(0, 0.05, 4)
        dets.append(dict(image_id=ann['image_id'], category_id=1,
                         bbox=[round(x + j[0] * w, 2), round(y + j[1] * h, 2),
                               round(w * (1 + j[2]), 2),
                               round(h * (1 + j[3]), 2)],
                         score=round(float(rng.uniform(0.6, 1.0)), 4)))
    for img in merged['images']:
        if img['is_labeled'] and rng.random() < 0.15:
            w, h = img['width'] * 0.15, img['height'] * 0.4
            dets.append(dict(image_id=img['id'], category_id=1,
                             bbox=[round(float(rng.uniform(0, img['width'] -
                                                           w)), 2),
                                   round(float(rng.uniform(0, img['height'] -
                                                           h)), 2),
                                   round(w, 2), round(h, 2)],
                             score=round(float(rng.uniform(0.1, 0.4)), 4)))
    return dets


def _dump(obj, path):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f)


def generate_synthetic_videos(root, logger=print, **params):
    """Write the built-in dataset to ``root`` unless ``root`` already holds
    it with the same parameters (``manifest.json``).

    Args:
        root (str): Output folder.
        logger (callable): Progress messages. Default: ``print``.
        **params: Overrides of :data:`DEFAULTS` (``seed``,
            ``num_train_videos``, ``num_val_videos``, ``num_frames``,
            ``width``, ``height``, ``max_people``, ``label_every``,
            ``delta``, ``degrade_prob``, ``ignore_region_prob``).

    Returns:
        dict: The manifest (parameters and per-split counts).
    """
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise KeyError(f'unknown parameters {sorted(unknown)}; expected '
                       f'some of {sorted(DEFAULTS)}')
    params = dict(DEFAULTS, **params)
    want = dict(version=GENERATOR_VERSION, params=params)
    manifest_path = osp.join(root, 'manifest.json')
    if osp.isfile(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
        if {k: manifest.get(k) for k in want} == want:
            logger(f'built-in videos up to date in {root}')
            return manifest
        logger(f'parameters changed: rebuilding {root}')
    tmp = f'{root.rstrip("/")}.tmp-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    manifest = dict(want, splits={})
    for split, count in (('train', params['num_train_videos']),
                         ('val', params['num_val_videos'])):
        merged = posetrack_file([], [], info=INFO)
        for i in range(count):
            video, data = render_video(split, i, params, tmp)
            _dump(data, osp.join(tmp, 'annotations', split, f'{video}.json'))
            merged['images'] += data['images']
            merged['annotations'] += data['annotations']
            if (i + 1) % 10 == 0 or i + 1 == count:
                logger(f'built-in videos: {split} {i + 1}/{count}')
        _dump(merged, osp.join(tmp, 'annotations', f'synthetic_{split}.json'))
        labelled = [im for im in merged['images'] if im['is_labeled']]
        manifest['splits'][split] = dict(
            videos=count, frames=len(merged['images']),
            labelled_frames=len(labelled),
            degraded_frames=sum(bool(im['degradations']) for im in labelled),
            people=len(merged['annotations']))
        if split == 'val':
            for name, keep in (('degraded', True), ('clean', False)):
                subset = dict(merged, images=[
                    dict(im, is_labeled=im['is_labeled']
                         and bool(im['degradations']) == keep)
                    for im in merged['images']])
                _dump(subset, osp.join(tmp, 'annotations',
                                       f'synthetic_val_{name}.json'))
            rng = np.random.default_rng([params['seed'], 2])
            _dump(_detections(merged, rng),
                  osp.join(tmp, 'annotations',
                           'synthetic_val_human_detections.json'))
    _dump(manifest, osp.join(tmp, 'manifest.json'))
    if osp.isdir(root):
        shutil.rmtree(root)
    os.replace(tmp, root)
    logger(f'built-in videos written to {root}: {manifest["splits"]}')
    return manifest
