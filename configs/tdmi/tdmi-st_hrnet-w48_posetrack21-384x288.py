# TDMI-ST, HRNet-W48, 384x288, PoseTrack21 (Table 3): the visual feature
# is a spatiotemporal feature of all frames instead of the key frame's.
_base_ = ['./tdmi_hrnet-w48_posetrack21-384x288.py']
model = dict(head=dict(visual='sequence'))
