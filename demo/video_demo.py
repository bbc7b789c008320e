"""Video in, annotated video and predictions JSON out: mmdet detects the
people, an mmdet tracker keeps their ids, a video pose model (TDMI)
estimates each pose from the frames around it. Checkpoints and models as
mmpose takes them: a file, an http(s) address (downloaded once into the
cache mmengine uses) or a model name of tdmi_mmpose, mmpose or mmdet.

Example (docs/en/get_started.md, docs/en/user_guides/pose_tracking.md):
    python demo/video_demo.py video.mp4 CONFIG \
        td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 --warm-start --no-flip
    python demo/video_demo.py video.mp4 CONFIG tdmi.pth --bboxes boxes.json
"""
import argparse
import os
import os.path as osp
import time

from mmengine.config import Config


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('video', help='video file or folder of frames')
    parser.add_argument('pose_config', help='config of a video pose '
                        "model, or its name or alias ('tdmi')")
    parser.add_argument('pose_checkpoint', help='its checkpoint (with '
                        '--warm-start: a single-frame top-down checkpoint): '
                        'file, http(s) address or mmpose model name')
    parser.add_argument('--warm-start', action='store_true',
                        help='pose_checkpoint is a single-frame model the '
                        'video model starts from (docs: warm_start.md)')
    parser.add_argument('--det-model', '--det-config', dest='det_model',
                        help="mmdet config, name or alias ('rtmdet-m'), or "
                        "'whole_image' (the whole frame as one person); "
                        "default: mmpose's default person detector")
    parser.add_argument('--det-weights', '--det-checkpoint',
                        dest='det_weights', help='its checkpoint: file, '
                        'http(s) address or mmdet model name (default: the '
                        "model's published weights)")
    parser.add_argument('--det-cat-id', type=int, help='person category '
                        'of the detector (default 0)')
    parser.add_argument('--bboxes', help='precomputed boxes instead of a '
                        'detector: COCO result JSON, image_id = frame '
                        'index, or a file written by --save-bboxes')
    parser.add_argument('--posetrack-out', metavar='FILE',
                        help='also write the poses with their track ids as '
                        'a PoseTrack18-format prediction file')
    parser.add_argument('--posetrack-gt', metavar='GT', help="the video's "
                        'PoseTrack18 ground truth: its frames and keypoint '
                        'names go into --posetrack-out (to evaluate it)')
    parser.add_argument('--save-bboxes', metavar='FILE',
                        help='also write the boxes of each frame to FILE in '
                        'the --bboxes format')
    parser.add_argument('--bbox-thr', type=float, default=0.3)
    parser.add_argument('--nms-thr', type=float, default=0.3)
    parser.add_argument('--kpt-thr', type=float, default=0.3)
    parser.add_argument('--online', action='store_true',
                        help='use no future frame (live streams)')
    parser.add_argument('--no-tracking', action='store_true')
    parser.add_argument('--smoother', help="smooth tracks online: one_euro, "
                        'savgol or gaussian[:name=value,...]')
    parser.add_argument('--track-thr', type=float, default=None,
                        help="ByteTrack's box score thresholds (mmdet's: "
                        '0.7 / 0.6; lower for detectors with lower scores)')
    reuse = parser.add_mutually_exclusive_group()
    reuse.add_argument('--reuse-features', dest='reuse_features',
                       action='store_true', default=None,
                       help='share backbone features between clips (the '
                       'default; docs/en/user_guides/inference.md)')
    reuse.add_argument('--per-clip', dest='reuse_features',
                       action='store_false',
                       help="crop every frame of a clip with the key frame's "
                       "box (the paper's protocol, 2*delta+1 backbone passes "
                       'per person and frame)')
    parser.add_argument('--no-align', dest='reuse_align',
                        action='store_false', default=None,
                        help='reuse without warping: crops within '
                        '--reuse-tolerance of the key box are shared')
    parser.add_argument('--reuse-tolerance', type=float, default=None,
                        help="how far a reused crop's box may be from the "
                        'box asked for (default: 0.05 or the config\'s)')
    parser.add_argument('--no-flip', dest='flip_test', action='store_false',
                        default=None, help='without the flip test: the fast '
                        'video setting')
    parser.add_argument('--backend', choices=['pytorch', 'onnxruntime'],
                        default='pytorch')
    parser.add_argument('--onnx', help='ONNX file of the pose model '
                        '(tools/deployment/pytorch2onnx.py)')
    parser.add_argument('--out-dir', default='work_dirs/video_demo')
    parser.add_argument('--device', help='cpu, cuda or cuda:N (default: '
                        "CUDA when available, as mmpose's inferencers pick)")
    return parser.parse_args()


def check_inputs(args):
    """Clear errors before anything is built; the number of frames."""
    for path, what in ((args.video, 'video'),
                       (args.pose_config, 'pose config'),
                       (args.pose_checkpoint, 'pose checkpoint'),
                       (args.det_model, 'detector config'),
                       (args.det_weights, 'detector checkpoint'),
                       (args.bboxes, 'boxes file'),
                       (args.onnx, 'ONNX file')):
        local = what in ('video', 'boxes file', 'ONNX file') or \
            path and path.endswith(('.py', '.pth', '.pt'))
        if path and local and not path.startswith(('http://', 'https://')) \
                and not (osp.isfile(path) or what == 'video' and
                         osp.isdir(path)):
            raise SystemExit(f'video_demo: {what} {path} does not exist')
    if (args.backend == 'onnxruntime') != bool(args.onnx):
        raise SystemExit('video_demo: --backend onnxruntime and --onnx FILE '
                         'go together')
    if args.bboxes and (args.det_model or args.det_weights):
        raise SystemExit('video_demo: --bboxes replaces the detector: give '
                         'either --bboxes or --det-model/--det-weights')
    from tdmi_mmpose.apis.inference import count_frames
    from tdmi_mmpose.utils.boxes import check_boxes_video
    from tdmi_mmpose.utils.cli import check_device, check_writable
    try:  # a frame folder's boxes as well; outputs before the first frame
        count = count_frames(args.video)
        if args.bboxes and osp.isdir(args.video):
            check_boxes_video(args.bboxes, osp.basename(
                osp.normpath(args.video)), count)
        check_device(args.device)
        check_writable(args.out_dir, args.posetrack_out and osp.dirname(
            osp.abspath(args.posetrack_out)), args.save_bboxes and
            osp.dirname(osp.abspath(args.save_bboxes)))
    except ValueError as err:
        raise SystemExit(f'video_demo: {err}')
    if osp.isfile(args.pose_config):
        neck = Config.fromfile(args.pose_config).model.get('neck') or {}
        if 'num_frames' not in neck:
            raise SystemExit(
                f'video_demo: {args.pose_config} is not a video pose model '
                "(no neck.num_frames); use mmpose's demo/inferencer_demo.py "
                'for single-frame models')
    return count


def main():
    args = parse_args()
    num_frames = check_inputs(args)
    import tdmi_mmpose  # noqa: F401
    from mmengine.utils import ProgressBar

    from tdmi_mmpose.apis import VideoPoseInferencer
    from tdmi_mmpose.apis.inferencers import bytetrack
    from tdmi_mmpose.utils.boxes import boxes_to_json
    from tdmi_mmpose.utils import CheckpointError
    from tdmi_mmpose.utils.model_zoo import DownloadError
    det = dict(det_model='whole_image') if args.bboxes else dict(
        det_model=args.det_model, det_weights=args.det_weights,
        det_cat_ids=0 if args.det_cat_id is None else args.det_cat_id)
    try:
        inferencer = VideoPoseInferencer(
            args.pose_config, args.pose_checkpoint, device=args.device,
            tracker=None if args.no_tracking else bytetrack(args.track_thr),
            reuse_features=args.reuse_features,
            reuse_tolerance=args.reuse_tolerance,
            reuse_align=args.reuse_align, backend=args.backend,
            onnx_file=args.onnx, warm_start=args.warm_start,
            flip_test=args.flip_test, smoother=args.smoother, **det)
        os.makedirs(args.out_dir, exist_ok=True)
        device = next(inferencer.model.parameters()).device
        found = inferencer.detector and inferencer.detector.cfg.filename
        print(f'[video_demo] device: {device}; people: '
              f'{args.bboxes or osp.basename(found or "whole frame")}')
        progress = ProgressBar(num_frames)
        t0, people = time.time(), []
        for result in inferencer(args.video, bboxes=args.bboxes,
                                 bbox_thr=args.bbox_thr,
                                 nms_thr=args.nms_thr, kpt_thr=args.kpt_thr,
                                 online=args.online, draw_bbox=True,
                                 vis_out_dir=args.out_dir,
                                 pred_out_dir=args.out_dir):
            people.append(result['predictions'][0])
            progress.update()
    except (ValueError, FileNotFoundError, DownloadError,
            CheckpointError) as err:
        raise SystemExit(f'video_demo: {err}')
    frames = len(people)
    if args.posetrack_out:
        from tdmi_mmpose.evaluation.functional import write_video_predictions
        write_video_predictions(args.posetrack_out, people,
                                inferencer.model.dataset_meta,
                                args.posetrack_gt, kpt_thr=args.kpt_thr)
    if args.save_bboxes:
        boxes_to_json(people, args.save_bboxes,
                      video=osp.basename(args.video))
        print(f'\n[video_demo] boxes: {args.save_bboxes}', flush=True)
    seconds = time.time() - t0
    name = osp.splitext(osp.basename(args.video))[0]
    print(f'\n[video_demo] {frames} frames in {seconds:.1f} s '
          f'({frames / max(seconds, 1e-9):.2f} frames/s, feature reuse '
          f'{inferencer.reuse_mode}); video: '
          f'{osp.join(args.out_dir, osp.basename(args.video))}, '
          f'predictions: {osp.join(args.out_dir, name + ".json")}')


if __name__ == '__main__':
    main()
