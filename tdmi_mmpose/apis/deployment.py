"""ONNX export of a top-down pose model (TDMI or a single-frame mmpose
model) and its onnxruntime twin for inference."""
import os.path as osp

import numpy as np
import torch
from mmpose.models.utils.tta import flip_heatmaps


class HeatmapGraph(torch.nn.Module):
    """What is exported: the network input (after the data preprocessor)
    to heatmaps, without flip test or decoding (both stay in Python).

    Args:
        model (nn.Module): A top-down pose estimator (``_forward`` gives
            heatmaps): TDMI ``(B, T, 3, H, W)`` -> ``(B, K, h, w)``, or a
            single-frame model ``(B, 3, H, W)`` -> ``(B, K, h, w)``.
    """

    def __init__(self, model):
        super().__init__()
        self.model = model
        # the exporter restores this module's mode, and with it the model's
        self.train(model.training)

    def forward(self, inputs):
        return self.model._forward(inputs)


def model_input_shape(model, batch=1):
    """``(B, T, 3, H, W)`` for a video model (T from its neck), else
    ``(B, 3, H, W)``, at the input size of the model's config."""
    w, h = model.cfg.codec.input_size
    frames = getattr(getattr(model, 'neck', None), 'num_frames', None)
    return (batch, 3, h, w) if frames is None else (batch, frames, 3, h, w)


def export_onnx(model, out_file, batch=1, opset=17):
    """Export ``model`` (eval mode, CPU) to ONNX with a dynamic batch axis.

    The deformable convolutions of TDMI are exported in their
    ``grid_sample`` form (standard ``GridSample``, opset >= 16), so
    onnxruntime runs the file without custom operators.

    Args:
        model (nn.Module): A pose estimator built from a config
            (``model.cfg``), weights loaded.
        out_file (str): The ``.onnx`` file written.
        batch (int): Batch of the example input. Default: 1.
        opset (int): ONNX opset, at least 16. Default: 17.

    Returns:
        tuple: The example input shape.
    """
    if opset < 16:
        raise ValueError(f'opset {opset}: GridSample (the deformable '
                         'convolution) needs opset >= 16')
    model = model.cpu().eval()
    shape = model_input_shape(model, batch)
    example = torch.randn(shape)
    with torch.no_grad():
        torch.onnx.export(
            HeatmapGraph(model), (example, ), out_file, dynamo=False,
            input_names=['inputs'], output_names=['heatmaps'],
            dynamic_axes=dict(inputs={0: 'batch'}, heatmaps={0: 'batch'}),
            opset_version=opset)
    return shape


class ONNXRuntimePoseModel:
    """A pose model whose network runs in onnxruntime: ``test_step`` takes
    what the torch model's takes and returns the same data samples (the
    torch model's data preprocessor, flip test and decoding around the
    exported heatmap graph).

    Args:
        model (nn.Module): The torch model the file was exported from (its
            preprocessor, head decoder and ``test_cfg`` are used; its
            network is not run).
        onnx_file (str): The exported file.
        threads (int, optional): onnxruntime intra-op threads (default: its
            own choice).
    """

    def __init__(self, model, onnx_file, threads=None):
        import onnxruntime as ort
        if not osp.isfile(onnx_file):
            raise FileNotFoundError(f'ONNX file {onnx_file} does not exist; '
                                    'export one with tools/deployment/'
                                    'pytorch2onnx.py')
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(
            onnx_file, options, providers=['CPUExecutionProvider'])
        self.model = model
        want = model_input_shape(model)[1:]
        got = tuple(self.session.get_inputs()[0].shape[1:])
        if got != want:
            raise ValueError(f'{onnx_file} takes inputs of shape (B, '
                             f'{", ".join(map(str, got))}) but the model\'s '
                             f'config gives (B, {", ".join(map(str, want))})'
                             ': export it from this config')

    def heatmaps(self, inputs):
        """``(B, ...)`` preprocessed inputs -> ``(B, K, h, w)`` heatmaps."""
        out = self.session.run(None, {'inputs': np.ascontiguousarray(
            inputs.detach().cpu().numpy(), np.float32)})[0]
        return torch.from_numpy(out)

    def test_step(self, data):
        """As the torch model's ``test_step``: data samples with
        ``pred_instances`` in image coordinates."""
        model = self.model
        data = model.data_preprocessor(data, False)
        inputs, samples = data['inputs'], data['data_samples']
        heatmaps = self.heatmaps(inputs)
        test_cfg = model.test_cfg
        if test_cfg.get('flip_test', False):
            flipped = flip_heatmaps(
                self.heatmaps(inputs.flip(-1)),
                flip_mode=test_cfg.get('flip_mode', 'heatmap'),
                flip_indices=samples[0].metainfo['flip_indices'],
                shift_heatmap=test_cfg.get('shift_heatmap', False))
            heatmaps = (heatmaps + flipped) * 0.5
        preds = model.head.decode(heatmaps)
        return model.add_pred_to_datasample(preds, None, samples)
