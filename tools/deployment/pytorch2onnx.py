"""Export a tdmi_mmpose (or mmpose top-down) model to ONNX, batch dynamic,
in standard ONNX ops (the deformable convolution's sampling as
``Gather``), so onnxruntime runs it without custom operators. A
single-frame model is one graph, image ``(B, 3, H, W)`` to heatmaps
``(B, K, h, w)``. A video model (TDMI) is two, so that onnxruntime runs
the backbone once per person and frame with feature reuse: ``OUT`` (the
temporal graph: per-stage features of clips ``(B, T, C, h, w)`` to
heatmaps) and ``OUT`` with ``.backbone.onnx`` (crops ``(N, 3, H, W)`` to
per-stage features).

With ``--verify`` (default on) onnxruntime's heatmaps are compared with
torch's on a random input and the largest difference is printed.

Example:
    python tools/deployment/pytorch2onnx.py \
        configs/tdmi/synthetic/tdmi_hrnet-w8_synthetic-videos-128x96.py \
        work_dirs/main_job/tdmi/epoch_5.pth --out tdmi.onnx
    python demo/video_demo.py video.mp4 CONFIG CKPT --backend onnxruntime \
        --onnx tdmi.onnx
"""
import argparse
import os
import os.path as osp


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint (.pth)')
    parser.add_argument('--out', default='model.onnx',
                        help='ONNX file to write (default: model.onnx)')
    parser.add_argument('--opset', type=int, default=17,
                        help='ONNX opset (default: 17)')
    parser.add_argument('--batch', type=int, default=1,
                        help='batch of the example input (the batch axis '
                        'stays dynamic)')
    parser.add_argument('--no-verify', dest='verify', action='store_false',
                        help='skip the onnxruntime check')
    return parser.parse_args()


def main():
    args = parse_args()
    import numpy as np
    import torch
    from mmpose.apis import init_model

    import tdmi_mmpose  # noqa: F401  (registers modules, safe loading)
    from tdmi_mmpose.apis.deployment import (HeatmapGraph,
                                             ONNXRuntimePoseModel,
                                             backbone_file, export_onnx,
                                             is_video)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint {args.checkpoint} does not exist')
    model = init_model(args.config, args.checkpoint, device='cpu')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    shape = export_onnx(model, args.out, args.batch, args.opset)
    if is_video(model):
        print(f'wrote {args.out} (temporal graph) and '
              f'{backbone_file(args.out)} (backbone graph): clips {shape} '
              '(batch dynamic) -> heatmaps')
    else:
        print(f'wrote {args.out}: inputs {shape} (batch dynamic) -> '
              'heatmaps')
    if args.verify:
        runtime = ONNXRuntimePoseModel(model, args.out)
        x = torch.randn((2, ) + tuple(shape[1:]))
        with torch.no_grad():
            ref = HeatmapGraph(model)(x)
        diff = float(np.abs(runtime.heatmaps(x) - ref).max())
        print(f'onnxruntime vs torch, batch 2: max |heatmap difference| '
              f'{diff:.2e}')


if __name__ == '__main__':
    main()
