"""PoseTrack evaluation without poseval: the multi-person pose AP, the
pose tracking MOTA (with MOTP, precision, recall and identity switches)
and PoseTrack21's keypoint HOTA (DetA, AssA, FA-HOTA) of a folder of
per-video prediction files against the ground truth, printed per joint
group like poseval's command line. poseval's rules, its skip of each
video's last labelled frame included (``--no-skip-last`` evaluates it):
:mod:`tdmi_mmpose.evaluation.functional.posetrack_mota`.

Example:
    python tools/analysis/posetrack_eval.py \
        data/posetrack18/annotations/val/ work_dirs/predictions/
"""
import argparse
import json


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('gt_dir', help='one PoseTrack18-format JSON per '
                        'video')
    parser.add_argument('pred_dir', help='one prediction file per video, '
                        'named as its ground truth, with track ids')
    parser.add_argument('--no-skip-last', dest='skip_last',
                        action='store_false',
                        help="evaluate each video's last labelled frame "
                        'too (poseval leaves it out of MOTA)')
    parser.add_argument('--out', help='also write the figures as JSON')
    return parser.parse_args()


def main():
    args = parse_args()
    from tdmi_mmpose.evaluation.functional import (evaluate_folder,
                                                   group_means)
    try:
        res = evaluate_folder(args.gt_dir, args.pred_dir, args.skip_last)
    except (ValueError, KeyError, FileNotFoundError) as err:
        raise SystemExit(f'posetrack_eval: {err}')
    ap = dict(res['map'], Total=res['map']['Mean'])
    rows = [('AP', ap)] + [
        (name, group_means(res['mota'][key]))
        for name, key in (('MOTA', 'mota'), ('MOTP', 'motp'),
                          ('MOTP*', 'motp_poseval'),
                          ('Precision', 'precision'), ('Recall', 'recall'))]
    rows += [(name, group_means(100 * res['hota'][name]))
             for name in ('HOTA', 'DetA', 'AssA', 'FA-HOTA')]
    names = list(rows[1][1])
    print(f'{res["videos"]} videos')
    print(f'{"":10}' + ''.join(f'{n:>9}' for n in names))
    for label, values in rows:
        print(f'{label:10}' + ''.join(f'{values[n]:9.1f}' for n in names))
    print(f'identity switches: {res["mota"]["total"]["switches"]:.0f}')
    print("MOTP* is poseval's printed MOTP (it also sums motmetrics' "
          'candidate pairs); MOTP sums matched pairs only')
    if args.skip_last and max(res['labelled_frames']) < 2:
        print('MOTA, MOTP, precision and recall are empty (nan): poseval '
              "leaves each video's last labelled frame out of MOTA and no "
              'video has two; --no-skip-last keeps it')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump({label: values for label, values in rows}, f,
                      indent=1)


if __name__ == '__main__':
    main()
