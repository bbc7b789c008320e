"""ONNX export of a top-down pose model (TDMI or a single-frame mmpose
model) and its onnxruntime twin for inference.

A single-frame model is one graph, image to heatmaps. A video model is
two, so that onnxruntime too runs the backbone once per person and frame
when clips share their frames' features (feature reuse): the **backbone
graph** ``crops (N, 3, H, W)`` -> per-stage features ``(N, C_s, h_s,
w_s)``, written to ``<name>.backbone.onnx``, and the **temporal graph**
per-stage features of clips ``(B, T, C_s, h_s, w_s)`` -> heatmaps ``(B, K,
h, w)`` (TDE, RDM and the head), written to ``<name>.onnx``.
"""
import os.path as osp

import numpy as np
import torch
from mmpose.models.utils.tta import flip_heatmaps


class _Graph(torch.nn.Module):
    """A part of a pose model to export (in the model's mode: the exporter
    restores this module's mode, and with it the model's)."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.train(model.training)


class HeatmapGraph(_Graph):
    """What is exported: the network input (after the data preprocessor)
    to heatmaps, without flip test or decoding (both stay in Python).

    Args:
        model (nn.Module): A top-down pose estimator (``_forward`` gives
            heatmaps): TDMI ``(B, T, 3, H, W)`` -> ``(B, K, h, w)``, or a
            single-frame model ``(B, 3, H, W)`` -> ``(B, K, h, w)``.
    """

    def forward(self, inputs):
        return self.model._forward(inputs)


class BackboneGraph(_Graph):
    """A video model's backbone: crops ``(N, 3, H, W)`` -> its per-stage
    features, each ``(N, C_s, h_s, w_s)``.

    Args:
        model (VideoTopdownPoseEstimator): The video model.
    """

    def forward(self, crops):
        return tuple(self.model.backbone(crops))


class TemporalGraph(_Graph):
    """A video model after its backbone: per-stage features of clips, each
    ``(B, T, C_s, h_s, w_s)`` -> heatmaps ``(B, K, h, w)``.

    Args:
        model (VideoTopdownPoseEstimator): The video model.
    """

    def forward(self, *frame_feats):
        return self.model.head(self.model.clip_feat(frame_feats))


def backbone_file(onnx_file):
    """Where a video model's backbone graph lies beside ``onnx_file``."""
    stem = onnx_file[:-5] if onnx_file.endswith('.onnx') else onnx_file
    return f'{stem}.backbone.onnx'


def is_video(model):
    """Whether ``model`` is a video pose model (its neck has frames)."""
    return getattr(getattr(model, 'neck', None), 'num_frames',
                   None) is not None


def model_input_shape(model, batch=1):
    """``(B, T, 3, H, W)`` for a video model (T from its neck), else
    ``(B, 3, H, W)``, at the input size of the model's config."""
    w, h = model.cfg.codec.input_size
    frames = getattr(getattr(model, 'neck', None), 'num_frames', None)
    return (batch, 3, h, w) if frames is None else (batch, frames, 3, h, w)


def export_onnx(model, out_file, batch=1, opset=17):
    """Export ``model`` (eval mode, CPU) to ONNX with dynamic batch axes: a
    single-frame model as one graph in ``out_file``, a video model as the
    temporal graph in ``out_file`` and the backbone graph in
    :func:`backbone_file` (see the module's docstring).

    The deformable convolutions of TDMI are exported with their bilinear
    sampling as row gathers (standard ``Gather``; onnxruntime runs it about
    four times faster than ``GridSample``), so onnxruntime runs the files
    without custom operators.

    Args:
        model (nn.Module): A pose estimator built from a config
            (``model.cfg``), weights loaded.
        out_file (str): The ``.onnx`` file written.
        batch (int): Batch of the example input. Default: 1.
        opset (int): ONNX opset. Default: 17.

    Returns:
        tuple: The example input shape (a clip's for a video model).
    """
    model = model.cpu().eval()
    shape = model_input_shape(model, batch)
    example = torch.randn(shape)

    def write(graph, inputs, names, outputs, file):
        torch.onnx.export(
            graph, inputs, file, dynamo=False, input_names=names,
            output_names=outputs, opset_version=opset,
            dynamic_axes={n: {0: 'batch'} for n in names + outputs})

    with torch.no_grad():
        if not is_video(model):
            write(HeatmapGraph(model), (example, ), ['inputs'],
                  ['heatmaps'], out_file)
            return shape
        crops = example.flatten(0, 1)
        feats = BackboneGraph(model)(crops)
        stages = [f'stage{i}' for i in range(len(feats))]
        write(BackboneGraph(model), (crops, ), ['crops'], stages,
              backbone_file(out_file))
        clip = tuple(f.unflatten(0, shape[:2]) for f in feats)
        write(TemporalGraph(model), clip, stages, ['heatmaps'], out_file)
    return shape


def check_backend(backend, onnx_file=None):
    """Refuse, before any model is built, a backend other than
    ``'pytorch'`` or ``'onnxruntime'``, or the latter without its file."""
    if backend not in ('pytorch', 'onnxruntime'):
        raise ValueError(f"backend must be 'pytorch' or 'onnxruntime', got "
                         f'{backend!r}')
    if backend == 'onnxruntime' and onnx_file is None:
        raise ValueError(
            "backend='onnxruntime' runs the exported network: give "
            'onnx_file (tools/deployment/pytorch2onnx.py writes it)')


def pose_network(model, backend='pytorch', onnx_file=None):
    """What runs ``model``'s network: the model itself, or for
    ``'onnxruntime'`` an :class:`ONNXRuntimePoseModel` of ``onnx_file``."""
    check_backend(backend, onnx_file)
    if backend == 'onnxruntime':
        return ONNXRuntimePoseModel(model, onnx_file)
    return model


class ONNXRuntimePoseModel:
    """A pose model whose network runs in onnxruntime: ``test_step`` takes
    what the torch model's takes and returns the same data samples (the
    torch model's data preprocessor, flip test and decoding around the
    exported graphs); for a video model also ``backbone`` and
    ``predict_from_frame_feats``, so that feature reuse runs the backbone
    graph once per person and frame.

    Args:
        model (nn.Module): The torch model the files were exported from
            (its preprocessor, head decoder and ``test_cfg`` are used; its
            network is not run).
        onnx_file (str): The exported file (for a video model the
            temporal graph; its backbone graph lies beside it).
        threads (int, optional): onnxruntime intra-op threads (default: its
            own choice).
    """

    def __init__(self, model, onnx_file, threads=None):
        import onnxruntime as ort
        self.model = model
        self.video = is_video(model)
        if self.video and onnx_file.endswith('.backbone.onnx'):
            # the backbone graph given: the temporal graph is its pair
            onnx_file = onnx_file[:-len('.backbone.onnx')] + '.onnx'
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        files = [onnx_file] + ([backbone_file(onnx_file)]
                               if self.video else [])
        self.sessions = []
        for file in files:
            if not osp.isfile(file):
                raise FileNotFoundError(
                    f'ONNX file {file} does not exist; export the model '
                    'with tools/deployment/pytorch2onnx.py (a video model '
                    f'is two files: {onnx_file} and '
                    f'{backbone_file(onnx_file)})')
            self.sessions.append(ort.InferenceSession(
                file, options, providers=['CPUExecutionProvider']))
            first = self.sessions[0].get_inputs()[0]
            if self.video and first.name != 'stage0':  # before the pair
                raise ValueError(
                    f'{onnx_file} is a whole-clip graph of an earlier '
                    f'export (input {first.name!r}): export it again with '
                    'tools/deployment/pytorch2onnx.py, which writes the '
                    'backbone and the temporal graph')
        self.session = self.sessions[-1]  # takes the preprocessed images
        want = model_input_shape(model)[1:]
        got = tuple(self.session.get_inputs()[0].shape[1:])
        if self.video:  # frames from the temporal graph, crops' shape
            got = (first.shape[1], ) + got
        if got != want:
            raise ValueError(f'{onnx_file} takes inputs of shape (B, '
                             f'{", ".join(map(str, got))}) but the model\'s '
                             f'config gives (B, {", ".join(map(str, want))})'
                             ': export it from this config')

    @staticmethod
    def _run(session, inputs):
        feed = {i.name: np.ascontiguousarray(x.detach().cpu().numpy(),
                                             np.float32)
                for i, x in zip(session.get_inputs(), inputs)}
        return [torch.from_numpy(out) for out in session.run(None, feed)]

    def backbone(self, crops):
        """A video model's backbone graph: ``(N, 3, H, W)`` -> per-stage
        features ``(N, C_s, h_s, w_s)``."""
        return tuple(self._run(self.sessions[1], [crops]))

    def heatmaps_from_feats(self, frame_feats):
        """A video model's temporal graph: per-stage ``(B, T, C_s, h_s,
        w_s)`` -> heatmaps ``(B, K, h, w)``."""
        return self._run(self.sessions[0], list(frame_feats))[0]

    def heatmaps(self, inputs):
        """``(B, ...)`` preprocessed inputs -> ``(B, K, h, w)`` heatmaps
        (a video model's clips through both graphs)."""
        if not self.video:
            return self._run(self.session, [inputs])[0]
        feats = self.backbone(inputs.flatten(0, 1))
        return self.heatmaps_from_feats(
            [f.unflatten(0, inputs.shape[:2]) for f in feats])

    def _predict(self, heatmaps, flipped, samples):
        """Flip test (mmpose's), decoding and the data samples."""
        model, test_cfg = self.model, self.model.test_cfg
        if test_cfg.get('flip_test', False):
            flipped = flip_heatmaps(
                flipped(), flip_mode=test_cfg.get('flip_mode', 'heatmap'),
                flip_indices=samples[0].metainfo['flip_indices'],
                shift_heatmap=test_cfg.get('shift_heatmap', False))
            heatmaps = (heatmaps + flipped) * 0.5
        preds = model.head.decode(heatmaps)
        return model.add_pred_to_datasample(preds, None, samples)

    def predict_from_frame_feats(self, frame_feats, data_samples,
                                 frame_feats_flip=None):
        """As :meth:`VideoTopdownPoseEstimator.predict_from_frame_feats`,
        the temporal part in onnxruntime."""
        return self._predict(
            self.heatmaps_from_feats(frame_feats),
            lambda: self.heatmaps_from_feats(frame_feats_flip),
            data_samples)

    def test_step(self, data):
        """As the torch model's ``test_step``: data samples with
        ``pred_instances`` in image coordinates."""
        data = self.model.data_preprocessor(data, False)
        inputs = data['inputs']
        return self._predict(self.heatmaps(inputs),
                             lambda: self.heatmaps(inputs.flip(-1)),
                             data['data_samples'])
