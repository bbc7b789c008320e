from .tde import TDE, temporal_difference

__all__ = ['TDE', 'temporal_difference']
