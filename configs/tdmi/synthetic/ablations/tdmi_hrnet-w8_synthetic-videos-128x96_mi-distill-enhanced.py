# Built-in-video ablation, MI option: the uy/fy terms pull F~ toward the
# detached M_u and F (their information flows into F~), not the reverse. The
# main job's TDMI with only this changed (tools/analysis/ablation.py).
_base_ = ['../tdmi_hrnet-w8_synthetic-videos-128x96.py']
model = dict(head=dict(mi_loss=dict(distill='enhanced')))
