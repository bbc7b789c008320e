"""Converters of the PoseTrack17 (:mod:`.posetrack17`) and HiEve
(:mod:`.hieve`) annotation formats to the PoseTrack18 (COCO-style) layout
(:mod:`.posetrack_format`), which the built-in videos are written in too;
``tools/dataset_converters`` runs them."""
