"""Readers of the PoseTrack17 / PoseTrack18 / HiEve annotation formats and
the PoseTrack18 (COCO-style) layout the converters in
``tools/dataset_converters`` write."""
