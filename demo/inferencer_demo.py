"""mmpose's ``demo/inferencer_demo.py`` for 2D poses, with video pose
models (TDMI) as well: ``tdmi_mmpose.apis.MMPoseInferencer`` behind the same
flags, so scripts written against mmpose's demo run unchanged.

Examples:
    # a TDMI config or name ('tdmi', 'tdmi-st') with its checkpoint
    python demo/inferencer_demo.py video.mp4 --pose2d tdmi \\
        --pose2d-weights tdmi.pth --det-model rtmdet-m \\
        --vis-out-dir out --pred-out-dir out
    # the fast video setting, and mmpose's W48 PoseTrack18 model warm-started
    python demo/inferencer_demo.py video.mp4 \\
        --pose2d configs/tdmi/tdmi_hrnet-w48_posetrack18-384x288.py \\
        --pose2d-weights td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288 \\
        --warm-start --no-flip
    # any mmpose single-frame model, exactly as mmpose's demo
    python demo/inferencer_demo.py image.jpg --pose2d human
"""
import argparse
import os.path as osp
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('inputs', nargs='?', type=str,
                        help='image, folder of images or video')
    parser.add_argument('--pose2d', help='pose config, or a model name or '
                        'alias of mmpose or tdmi_mmpose')
    parser.add_argument('--pose2d-weights', help='its checkpoint: file, '
                        'http(s) address or model name')
    parser.add_argument('--det-model', help="mmdet config or alias, or "
                        "'whole_image' (default: mmpose's default person "
                        'detector)')
    parser.add_argument('--det-weights', help='mmdet checkpoint: file, '
                        'http(s) address or model name')
    parser.add_argument('--det-cat-ids', type=int, nargs='+', default=0,
                        help='person category ids of the detector')
    parser.add_argument('--scope', default='mmpose')
    parser.add_argument('--device', default=None)
    parser.add_argument('--show', action='store_true')
    parser.add_argument('--draw-bbox', action='store_true')
    parser.add_argument('--bbox-thr', type=float, default=0.3)
    parser.add_argument('--nms-thr', type=float, default=0.3)
    parser.add_argument('--kpt-thr', type=float, default=0.3)
    parser.add_argument('--radius', type=int, default=3)
    parser.add_argument('--thickness', type=int, default=1)
    parser.add_argument('--skeleton-style', default='mmpose',
                        choices=['mmpose', 'openpose'])
    parser.add_argument('--black-background', action='store_true')
    parser.add_argument('--vis-out-dir', default='',
                        help='where to write the drawn frames or video')
    parser.add_argument('--pred-out-dir', default='',
                        help='where to write the predictions (JSON)')
    parser.add_argument('--show-progress', action='store_true')
    video = parser.add_argument_group('video pose models')
    video.add_argument('--no-flip', action='store_true',
                       help='without the flip test (the fast video '
                       'setting; the config keeps it for evaluation)')
    video.add_argument('--warm-start', action='store_true',
                       help='--pose2d-weights is a single-frame checkpoint '
                       'the video model starts from')
    video.add_argument('--online', action='store_true',
                       help='use no future frame (live streams)')
    video.add_argument('--posetrack-out', metavar='FILE',
                       help='also write the poses with their track ids as a '
                       'PoseTrack18-format prediction file')
    return parser.parse_args()


def main():
    args = parse_args()
    if not args.inputs or not args.pose2d:
        sys.exit('inferencer_demo: give INPUTS and --pose2d')
    if not (args.inputs.startswith('webcam') or osp.exists(args.inputs)):
        sys.exit(f'inferencer_demo: input {args.inputs} does not exist')
    import tdmi_mmpose  # noqa: F401
    from tdmi_mmpose.apis import MMPoseInferencer
    from tdmi_mmpose.apis.inferencers.mmpose_inferencer import \
        is_video_model
    video = is_video_model(args.pose2d)
    if not video and (args.no_flip or args.warm_start or args.online or
                      args.posetrack_out):
        sys.exit('inferencer_demo: --no-flip, --warm-start, --online and '
                 '--posetrack-out are for video pose models; '
                 f'{args.pose2d} is a single-frame model')
    video_kwargs = dict(flip_test=False if args.no_flip else None,
                        warm_start=args.warm_start) if video else {}
    try:
        inferencer = MMPoseInferencer(
            pose2d=args.pose2d, pose2d_weights=args.pose2d_weights,
            device=args.device, scope=args.scope, det_model=args.det_model,
            det_weights=args.det_weights, det_cat_ids=args.det_cat_ids,
            show_progress=args.show_progress, **video_kwargs)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        sys.exit(f'inferencer_demo: {err}')
    call = dict(show=args.show, draw_bbox=args.draw_bbox,
                bbox_thr=args.bbox_thr, nms_thr=args.nms_thr,
                kpt_thr=args.kpt_thr, radius=args.radius,
                thickness=args.thickness, skeleton_style=args.skeleton_style,
                black_background=args.black_background,
                vis_out_dir=args.vis_out_dir, pred_out_dir=args.pred_out_dir)
    if args.online:
        call['online'] = True
    people = [r['predictions'][0] for r in inferencer(args.inputs, **call)]
    frames = len(people)
    if args.posetrack_out:
        from tdmi_mmpose.evaluation.functional import write_video_predictions
        write_video_predictions(args.posetrack_out, people,
                                inferencer.inferencer.model.dataset_meta,
                                kpt_thr=args.kpt_thr)
    print(f'[inferencer_demo] {frames} result(s)' + (
        f'; drawn in {args.vis_out_dir}' if args.vis_out_dir else '') + (
        f'; predictions in {args.pred_out_dir}' if args.pred_out_dir
        else ''))


if __name__ == '__main__':
    main()
