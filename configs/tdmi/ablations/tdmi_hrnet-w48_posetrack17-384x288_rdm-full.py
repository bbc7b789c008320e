# Ablation, Table 7 (b): RDM with the MI objective (full) (PoseTrack17 val, as
# in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
# identical to the full model; kept so every table row has a config
