"""Drawing test results of clip models (``tools/test.py --show-dir``)."""
import os
import os.path as osp

import cv2
import numpy as np
from mmpose.engine.hooks import PoseVisualizationHook
from mmpose.registry import HOOKS


@HOOKS.register_module()
class VideoPoseVisualizationHook(PoseVisualizationHook):
    """mmpose's :class:`PoseVisualizationHook` for clip models: each
    prediction is drawn on its key frame (``img_path``), as mmpose draws a
    single-frame model's; with ``show_neighbours`` the test images also get
    the clip's frames (``frame_paths``, temporal order, key frame drawn) as
    a strip at the same height.

    Args:
        show_neighbours (bool): add the clip's other frames to the images
            written to ``out_dir``. Defaults to False.
        **kwargs: the arguments of :class:`PoseVisualizationHook`
            (``enable``, ``interval``, ``kpt_thr``, ``show``,
            ``wait_time``, ``out_dir``, ``backend_args``).
    """

    def __init__(self, show_neighbours=False, **kwargs):
        super().__init__(**kwargs)
        self.show_neighbours = show_neighbours

    def after_test_iter(self, runner, batch_idx, data_batch, outputs):
        if not (self.enable and self.show_neighbours and self.out_dir):
            return super().after_test_iter(runner, batch_idx, data_batch,
                                           outputs)
        # the parent resolves out_dir the same way (idempotent once absolute)
        out_dir = osp.join(runner.work_dir, runner.timestamp, self.out_dir)
        before = set(os.listdir(out_dir)) if osp.isdir(out_dir) else set()
        super().after_test_iter(runner, batch_idx, data_batch, outputs)
        clips = {}
        for sample in outputs:
            stem = osp.basename(sample.img_path).rsplit('.', 1)[0]
            clips[stem] = (sample.img_path, sample.get('frame_paths'))
        for name in sorted(set(os.listdir(self.out_dir)) - before):
            stem = name.rsplit('_', 1)[0]
            if stem in clips and clips[stem][1]:
                path = osp.join(self.out_dir, name)
                cv2.imwrite(path, self._strip(cv2.imread(path), *clips[stem]))

    @staticmethod
    def _strip(drawn, key_path, frame_paths):
        """``drawn`` (the key frame with its pose) between its neighbours,
        each scaled to the key frame's height."""
        height = drawn.shape[0]
        tiles = []
        for path in frame_paths:
            if path == key_path:
                tiles.append(drawn)
                continue
            frame = cv2.imread(path)
            if frame is None:  # unreadable neighbour: a grey tile
                frame = np.full_like(drawn, 127)
            scale = height / frame.shape[0]
            tiles.append(cv2.resize(
                frame, (max(1, round(frame.shape[1] * scale)), height)))
        return np.concatenate(tiles, axis=1)
