from .tdmi_hrnet import TDMIHRNet

__all__ = ['TDMIHRNet']
