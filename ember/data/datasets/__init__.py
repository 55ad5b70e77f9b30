"""Ready-made data sets (``ember.data.datasets``): MNIST and Fashion-MNIST."""
from .errors import CorruptDatasetError, DatasetNotFoundError
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "DatasetNotFoundError", "CorruptDatasetError"]
