"""Ready-made data sets (``ember.data.datasets``): MNIST, Fashion-MNIST, CIFAR-10, ImageFolder and FakeData."""
from .cifar import CIFAR10
from .errors import CorruptDatasetError, DatasetNotFoundError
from .fake import FakeData
from .folder import ImageFolder
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "ImageFolder", "FakeData", "DatasetNotFoundError", "CorruptDatasetError"]
