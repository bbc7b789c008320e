# TDMI-ST, HRNet-W48, 384x288, PoseTrack18 (Table 2): the visual feature
# is a spatiotemporal feature of all frames instead of the key frame's.
_base_ = ['./tdmi_hrnet-w48_posetrack18-384x288.py']
model = dict(head=dict(visual='sequence'))
