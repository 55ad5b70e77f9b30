"""Ready-made data sets (``ember.data.datasets``): MNIST, Fashion-MNIST, CIFAR-10/100, ImageFolder, FakeData."""
from .cifar import CIFAR10, CIFAR100
from .errors import CorruptDatasetError, DatasetNotFoundError
from .fake import FakeData
from .folder import ImageFolder
from .mnist import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "FakeData", "DatasetNotFoundError",
           "CorruptDatasetError"]
