from .mi_loss import MutualInformationLoss, spatial_kl

__all__ = ['MutualInformationLoss', 'spatial_kl']
