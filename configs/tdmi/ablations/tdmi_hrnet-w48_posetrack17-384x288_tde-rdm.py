# Ablation, Table 5 (b): TDE + RDM, i.e. the full TDMI (PoseTrack17 val, as in
# the paper).
_base_ = ['../tdmi_hrnet-w48_posetrack17-384x288.py']
# identical to the full model; kept so every table row has a config
