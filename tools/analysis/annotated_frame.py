"""One frame of an annotated video (what demo/video_demo.py writes, with
skeletons, boxes and track ids) as an image: by default the frame with the
most people drawn, from the main job's tracked clip, for the docs.

Examples:
    python tools/analysis/annotated_frame.py        # after make demo
    python tools/analysis/annotated_frame.py out/my_video.mp4 \
        --predictions out/my_video.json --out frame.jpg
"""
import argparse
import glob
import json
import os
import os.path as osp


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('video', nargs='?', help='annotated video (default: '
                        'the tracked clip of work_dirs/main_job)')
    parser.add_argument('--predictions', help='its predictions JSON, to '
                        'pick the frame with the most people (default: '
                        'beside the video)')
    parser.add_argument('--frame', type=int, help='frame index (default: '
                        'the one with the most people nearest the middle)')
    parser.add_argument('--width', type=int, default=640,
                        help='width of the image written (default: 640)')
    parser.add_argument('--out', default='docs/en/figures/annotated_frame.jpg')
    return parser.parse_args()


def most_crowded(people):
    """Index of the frame with the most people; of several, the one
    nearest the middle of the video."""
    middle = len(people) // 2
    return max(range(len(people)),
               key=lambda i: (people[i], -abs(i - middle)))


def main():
    args = parse_args()
    video = args.video or next(iter(sorted(glob.glob(
        'work_dirs/main_job/tracked/val_*.mp4'))), None)
    if not video or not osp.isfile(video):
        raise SystemExit('annotated_frame: no annotated video '
                         f'({video or "work_dirs/main_job/tracked/"}): run '
                         'make demo, or give one demo/video_demo.py wrote')
    import cv2
    import mmcv
    frame = args.frame
    if frame is None:
        preds = args.predictions or osp.splitext(video)[0] + '.json'
        frame = most_crowded([len(p['instances'])
                              for p in json.load(open(preds))])
    reader = mmcv.VideoReader(video)
    if not 0 <= frame < len(reader):
        raise SystemExit(f'annotated_frame: {video} has {len(reader)} '
                         f'frames; frame {frame} is not one of them')
    image = reader[frame]
    scale = args.width / image.shape[1]
    image = cv2.resize(image, None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_AREA)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    cv2.imwrite(args.out, image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(f'[annotated_frame] frame {frame} of {video} -> {args.out}')


if __name__ == '__main__':
    main()
