"""Convert HiEve pose annotations to the PoseTrack18 format.

Input: HiEve's published all-track ground truth, as described on the
challenge's "Format Description" page (humaninevents.org/format.html): per
video a folder with one annotation file per frame, ``000000.xml`` for frame
0, Pascal-VOC style::

    <annotation>
      <folder>hm_in_fighting1</folder> <filename>0.jpg</filename>
      <size><width>1920</width><height>1080</height><depth>3</depth></size>
      <object>
        <name>P-1</name> <action>standing-alone</action> ...
        <bndbox><xmin>747</xmin><ymin>103</ymin><xmax>1044</xmax>
          <ymax>1079</ymax> <Nose>928,185,0</Nose> <Chest>943,278,0</Chest>
          ... one element per joint ...</bndbox>
      </object> ...
    </annotation>

The page prints this content as JSON (``{"annotation": {...}}``, every value
a string); ``.json`` files holding that are read the same way. The 14 joints
are the page's Table 1 (``HIEVE_JOINTS``); each value is ``"x,y,flag"``
with flag 0 visible, 1 invisible (occluded, still annotated), -1 not
annotated. ``name`` is ``P-<track id>``.

Output, in PoseTrack18's 17-joint layout: frames ``<image-prefix>/<video>/
<frame:06d>.jpg`` (0-based, what ``HiEveClipDataset`` reads;
``--link-frames`` links the annotation's ``filename``, e.g. ``0.jpg``,
under that name); every annotated joint (flag 0 or 1) gets visibility 1.
HiEve has no head top, neck or head box: its Chest fills PoseTrack's
``head_bottom`` slot (the nearest joint), ``head_top`` stays unannotated,
and ``bbox_head`` (for the PoseTrack metric's PCKh) is a square centred on
the nose with the nose-chest distance as side (without both, 1/7 of the
person box's height at its top). The official HiEve leaderboard scores with
its own protocol.

Example:
    python tools/dataset_converters/hieve_to_coco.py \
        data/hieve/labels/train data/hieve \
        data/hieve/annotations/hieve_train.json \
        --image-prefix images/train --link-frames
"""
import argparse

from tdmi_mmpose.datasets.converters.hieve import convert, link_frames
from tdmi_mmpose.datasets.converters.posetrack_format import write_coco


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder of per-video folders of '
                        'HiEve frame annotations (000000.xml, ...)')
    parser.add_argument('data_root', help='folder the image prefix is in')
    parser.add_argument('out_file', help='converted annotation file')
    parser.add_argument('--image-prefix', default='images',
                        help='folder of the video frame folders, relative '
                        'to the data root')
    parser.add_argument('--link-frames', action='store_true',
                        help='link frames named as in the annotations '
                        '(0.jpg) under 6-digit names (000000.jpg)')
    args = parser.parse_args()
    images, annotations, frame_files = convert(args.ann_dir,
                                               args.image_prefix)
    if args.link_frames:
        link_frames(args.data_root, frame_files)
    write_coco(args.out_file, images, annotations)


if __name__ == '__main__':
    main()
