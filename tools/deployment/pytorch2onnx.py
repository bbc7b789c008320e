"""Export a tdmi_mmpose (or mmpose top-down) model to ONNX: preprocessed
inputs (TDMI: a clip ``(B, 2*delta+1, 3, H, W)``; a single-frame model: an
image ``(B, 3, H, W)``) to heatmaps ``(B, K, h, w)``, batch dynamic, in
standard ONNX ops (the deformable convolution as ``GridSample``,
opset >= 16), so onnxruntime runs it without custom operators.

With ``--verify`` (default on) onnxruntime's heatmaps are compared with
torch's on a random input and the largest difference is printed.

Example:
    python tools/deployment/pytorch2onnx.py \
        configs/tdmi/synthetic/tdmi_hrnet-w8_synthetic-videos-128x96.py \
        work_dirs/main_job/tdmi/epoch_5.pth --out tdmi.onnx
    python tools/video_demo.py video.mp4 CONFIG CKPT --backend onnxruntime \
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
                        help='ONNX opset, >= 16 (default: 17)')
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
                                             export_onnx)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint {args.checkpoint} does not exist')
    model = init_model(args.config, args.checkpoint, device='cpu')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    shape = export_onnx(model, args.out, args.batch, args.opset)
    print(f'wrote {args.out}: inputs {shape} (batch dynamic) -> heatmaps')
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
