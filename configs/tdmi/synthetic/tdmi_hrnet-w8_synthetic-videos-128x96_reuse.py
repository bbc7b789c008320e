# TDMI on the built-in videos trained for feature reuse: the main job's TDMI
# with each neighbour frame cropped, with probability 0.8, by a box of its
# own (RandomNeighbourCrop: shifted by up to 0.15 of the crop, scaled by
# 0.85-1.15), as tolerance reuse crops it (reuse_align=False: a crop of the
# frame within reuse_tolerance of the key frame's box, not warped). The key
# frame is cropped as before. The inferencer's default, aligned reuse, needs
# no such training and is at least as accurate for this model (docs/en/,
# Performance); tolerance 0.15 serves reuse_align=False.
_base_ = ['./tdmi_hrnet-w8_synthetic-videos-128x96.py']

train_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomHalfBody', prob=0.3, min_total_keypoints=9),
    dict(type='RandomBBoxTransform', shift_prob=0, rotate_factor=45,
         rotate_prob=0.6, scale_factor=(0.65, 1.35)),
    dict(type='RandomNeighbourCrop', prob=0.8, shift_factor=0.15,
         scale_factor=(0.85, 1.15)),
    dict(type='VideoTopdownAffine', input_size=(96, 128)),
    dict(type='GenerateTarget', encoder={{_base_.codec}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}})
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(test_cfg=dict(reuse_features=True, reuse_tolerance=0.15))
