"""Ready-made data sets (``ember.data.datasets``): MNIST, Fashion-MNIST and CIFAR-10."""
from .cifar import CIFAR10
from .errors import CorruptDatasetError, DatasetNotFoundError
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "DatasetNotFoundError", "CorruptDatasetError"]
