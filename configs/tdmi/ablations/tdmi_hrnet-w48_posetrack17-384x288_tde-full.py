# Ablation, Table 6 (d): progressive accumulation with spatial modulation
# (full) (PoseTrack17 val, as in the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
# identical to the full model; kept so every table row has a config
