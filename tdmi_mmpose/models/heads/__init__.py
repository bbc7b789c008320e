from .rdm import RDM
from .tdmi_head import TDMIHead

__all__ = ['RDM', 'TDMIHead']
