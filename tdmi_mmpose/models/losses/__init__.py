from .heatmap_loss import HeatmapL2Loss
from .mi_loss import MutualInformationLoss, js_divergence, label_distribution

__all__ = [
    'HeatmapL2Loss', 'MutualInformationLoss', 'js_divergence',
    'label_distribution'
]
