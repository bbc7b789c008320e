# TDMI on the built-in videos trained the way feature reuse infers: the main
# job's TDMI with each side of the key frame cropped, with probability 0.6,
# by a box of its own (RandomNeighbourCrop: a track's crop box re-centred
# between two frames), key crops shifted and enlarged as a track's crop box
# holds its person. Video inference reuses backbone features by default
# for this model (model.test_cfg.reuse_features; VideoPoseInferencer).
_base_ = ['./tdmi_hrnet-w8_synthetic-videos-128x96.py']

train_pipeline = [
    dict(type='LoadVideoFrames'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='RandomFlip', direction='horizontal', prob=0.5),
    dict(type='RandomHalfBody', prob=0.3, min_total_keypoints=9),
    # reuse's key crop is its track's box: up to ~7% off the person's
    # centre and 1.0-1.4x its size (margin 1.15 until re-centred)
    dict(type='RandomBBoxTransform', shift_factor=0.08, shift_prob=0.5,
         rotate_factor=45, rotate_prob=0.6, scale_factor=(0.65, 1.5)),
    dict(type='RandomNeighbourCrop', prob=0.6, shift_factor=0.2,
         scale_factor=(0.9, 1.1)),
    dict(type='VideoTopdownAffine', input_size=(96, 128)),
    dict(type='GenerateTarget', encoder={{_base_.codec}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}})
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(test_cfg=dict(reuse_features=True))
