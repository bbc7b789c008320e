"""Feature reuse for video inference: each person crop goes through the
backbone once, and the clips that hold its frame share its features."""
import numpy as np
import torch

from ...inference import clip_data_info


class FeatureReuse:
    """Backbone features of person crops, cached by ``(frame, box)`` and
    shared between the ``2*delta + 1`` clips that hold a frame.

    Aligned (``align=True``, the default): each person is cropped once per
    frame with their own box there (found by track id; the key frame's box
    for a person not tracked in that frame), and a clip warps its
    neighbours' feature maps into the key frame's crop
    (:func:`warp_to_crop`), so the neighbours stay aligned with the key
    crop as in the paper's per-clip protocol while the backbone runs once
    per person and frame. Without alignment, frame ``s`` of a clip takes a
    crop of ``s`` already computed whose box is within ``tolerance`` of the
    key frame's box (:func:`crop_distance`), else crops ``s`` anew with the
    key frame's box (tolerance 0 is the per-clip protocol).

    The cache holds the frames of one clip span: :meth:`predict` drops the
    crops of frames no later clip holds.

    Args:
        model (VideoTopdownPoseEstimator): The video pose model.
        pipeline (Callable): The inferencer's test pipeline (one frame).
        collate_fn (Callable): The inferencer's collate function.
        delta (int): Frames on each side of the key frame.
        align (bool): Aligned reuse (see above). Default: True.
        tolerance (float): How far a reused crop's box may be from the box
            asked for without alignment. Default: 0.05.
        network (optional): What runs the backbone (``backbone``) and the
            rest (``predict_from_frame_feats``): the model, or its
            :class:`ONNXRuntimePoseModel`. Default: the model.

    With the model's ``test_cfg.flip_test`` the flipped crops' features are
    computed and cached too (mmpose's flip test).
    """

    def __init__(self, model, pipeline, collate_fn, delta, align=True,
                 tolerance=0.05, network=None):
        if not tolerance >= 0:
            raise ValueError(f'reuse_tolerance must be >= 0, got {tolerance}')
        self.model = model
        self.network = model if network is None else network
        self.pipeline = pipeline
        self.collate_fn = collate_fn
        self.delta = delta
        self.align = align
        self.tolerance = tolerance
        self.cache = {}  # (frame, box) -> (feats, flipped feats, sample)

    def describe(self, enabled=True):
        """How clips get their frames' features, in words (for logs)."""
        if not enabled:
            return 'off (per clip)'
        if self.align:
            return 'on (aligned: one crop per person and frame)'
        return f'on (crops within {self.tolerance:g} of the box)'

    def clear(self):
        """Forget every cached crop (a new video starts)."""
        self.cache.clear()

    def requests(self, window, boxes, ids):
        """Per person of the key frame, the ``(frame entry, crop box)`` of
        each frame of its clip.

        Args:
            window (list[tuple]): The clip's frame entries ``(index, image,
                name, boxes (N, 5), track ids)``, key frame in the centre.
            boxes (np.ndarray): ``(P, 5)`` the key frame's people.
            ids (np.ndarray): ``(P,)`` their track ids (-1: untracked).
        """
        return [[(e, self.crop_box(e, box, tid)) for e in window]
                for box, tid in zip(boxes, ids)]

    def crop_box(self, entry, box, track_id):
        """The box a person of the key frame (``box``, ``track_id``) is
        cropped with in frame ``entry``: aligned, their own box there when
        the tracker found them, else the key frame's box."""
        if self.align and track_id >= 0:
            match = np.flatnonzero(np.asarray(entry[4]) == track_id)
            if len(match):
                return entry[3][match[0]]
        return box

    def crop_feats(self, requests):
        """Backbone features (per stage ``(1, C, h, w)``), those of the
        flipped crop (with flip test, else None) and the data sample of
        each request ``(frame entry, box)``: a cached crop of the frame
        within ``tolerance`` of the box when one exists, else a new one
        with the box (all new crops in one backbone batch, the flipped
        views in a second)."""
        keys, new = [], {}
        for entry, box in requests:
            key = self.nearest_crop(entry[0], box, new)
            if key is None:
                key = (entry[0], tuple(np.round(box[:4], 3).tolist()))
                new[key] = self.pipeline(clip_data_info(
                    [entry[1]], [entry[2]], 0, box[:4], box[4],
                    self.model.dataset_meta))
            keys.append(key)
        if new:
            data = self.model.data_preprocessor(
                self.collate_fn(list(new.values())), False)
            crops = data['inputs'].flatten(0, 1)  # (N, 3, H, W)
            feats = self.network.backbone(crops)
            flipped = self.network.backbone(crops.flip(-1)) if \
                self.model.test_cfg.get('flip_test', False) else None
            for i, (key, sample) in enumerate(zip(new,
                                                  data['data_samples'])):
                self.cache[key] = (
                    tuple(f[i:i + 1] for f in feats),
                    tuple(f[i:i + 1] for f in flipped) if flipped else None,
                    sample)
        return [self.cache[key] for key in keys]

    def nearest_crop(self, index, box, pending):
        """Cache key of the crop of frame ``index`` (computed, or in
        ``pending``) nearest to ``box`` within ``tolerance``, or None."""
        best, best_d = None, self.tolerance
        for key in [*self.cache, *pending]:
            if key[0] == index:
                d = crop_distance(np.asarray(key[1]), box)
                if d <= best_d:
                    best, best_d = key, d
        return best

    def predict(self, crops, key):
        """Poses of one frame's people from cached per-crop features, all
        people through TDE, RDM and the head in one batch.

        Args:
            crops (list[list[tuple]]): :meth:`requests` of the frame.
            key (int): The frame's index.

        Returns:
            list[PoseDataSample]: one per person, boxes the detected ones.
        """
        per_person = len(crops[0])
        cached = self.crop_feats([pair for person in crops
                                  for pair in person])
        feats, flips, samples = [], [], []
        for p in range(len(crops)):
            per_frame = cached[p * per_person:(p + 1) * per_person]
            samples.append(per_frame[self.delta][2].clone())  # key crop
            for i, out in ((0, feats), (1, flips)):
                if per_frame[0][i] is None:  # no flip test
                    continue
                clip = [torch.cat(stage) for stage in
                        zip(*[f[i] for f in per_frame])]  # (T, C, h, w)
                if self.align:
                    clip = warp_to_crop(
                        clip, [f[2] for f in per_frame], samples[-1],
                        flipped=i == 1)
                out.append([stage[None] for stage in clip])
        cat = [torch.cat(stage) for stage in zip(*feats)]  # (P, T, C, h, w)
        cat_flip = [torch.cat(s) for s in zip(*flips)] if flips else None
        # later clips start at key + 1 - delta: older crops are done
        for cache_key in [k for k in self.cache
                          if k[0] < key + 1 - self.delta]:
            del self.cache[cache_key]
        samples = self.network.predict_from_frame_feats(
            tuple(cat), samples, tuple(cat_flip) if cat_flip else None)
        for sample, person in zip(samples, crops):  # the detected boxes
            box = person[self.delta][1]
            sample.pred_instances.bboxes = box[None, :4].astype(np.float32)
            sample.pred_instances.bbox_scores = box[4:5].astype(np.float32)
        return samples


def warp_to_crop(feats, sources, target, flipped=False):
    """Resample the feature maps of crops into another crop of the same
    image coordinates (bilinear, zeros outside a source crop).

    Args:
        feats (list[Tensor]): per stage ``(T, C, h, w)``, row ``i`` the
            features of the crop of ``sources[i]``.
        sources (list[PoseDataSample]): each crop's sample
            (``input_center``, ``input_scale``: the crop's box in pixels).
        target (PoseDataSample): the crop to warp into.
        flipped (bool): the features are those of horizontally flipped
            crops (the flip test's).

    Returns:
        list[Tensor]: per stage ``(T, C, h, w)``; rows whose crop is the
        target's are returned unchanged.
    """
    centre = np.asarray(target.metainfo['input_center'], np.float64)
    scale = np.asarray(target.metainfo['input_scale'], np.float64)
    theta = np.zeros((len(sources), 2, 3))
    same = []
    for i, sample in enumerate(sources):
        c = np.asarray(sample.metainfo['input_center'], np.float64)
        s = np.asarray(sample.metainfo['input_scale'], np.float64)
        same.append(bool(np.allclose(c, centre) and np.allclose(s, scale)))
        # target's normalised coordinates -> the source crop's
        theta[i, :, :2] = np.diag(scale / s)
        theta[i, :, 2] = 2 * (centre - c) / s
        if flipped:
            theta[i, 0, 2] *= -1
    move = [i for i, s in enumerate(same) if not s]
    if not move:
        return feats
    rows = torch.as_tensor(move, device=feats[0].device)
    out = []
    for f in feats:  # only the rows of other crops are resampled
        grid = torch.nn.functional.affine_grid(
            torch.as_tensor(theta[move], dtype=f.dtype, device=f.device),
            [len(move), *f.shape[1:]], align_corners=False)
        warped = torch.nn.functional.grid_sample(
            f[rows], grid, mode='bilinear', padding_mode='zeros',
            align_corners=False)
        out.append(f.index_copy(0, rows, warped))
    return out


def crop_distance(crop, box):
    """How far ``crop`` is from ``box`` (xyxy): the larger of their centres'
    distance along x and y, as fractions of ``box``'s width and height,
    and of their width and height ratios' distance from 1."""
    size = box[2:4] - box[:2]
    centre = (crop[:2] + crop[2:4] - box[:2] - box[2:4]) / 2 / size
    ratio = (crop[2:4] - crop[:2]) / size - 1
    return float(max(np.abs(centre).max(), np.abs(ratio).max()))
