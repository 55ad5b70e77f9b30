"""torchvision's ``datasets``, spelled ``from ember.vision import datasets``.

The loaders are :mod:`ember.data.datasets`'s (same search order, checksums
and downloads); as in torchvision, ``dataset[i]`` gives the image as a PIL
image (mode ``L`` for MNIST, ``RGB`` for CIFAR-10, FakeData and
ImageFolder) when Pillow is installed. Without Pillow it stays a NumPy
uint8 array (``H x W`` for MNIST, ``H x W x C`` otherwise), which every
Ember transform accepts; ImageFolder needs Pillow to decode files at all.

Example:
    >>> from ember.vision import datasets, transforms
    >>> train = datasets.MNIST("data", train=True, download=True,
    ...                        transform=transforms.ToTensor())  # doctest: +SKIP
    >>> train[0][0].shape  # doctest: +SKIP
    (1, 28, 28)
"""
from __future__ import annotations

from ..data import datasets as _data
from ..data.datasets import CorruptDatasetError, DatasetNotFoundError  # noqa: F401  (re-exported)
from ..data.datasets.folder import IMG_EXTENSIONS, pil_loader  # noqa: F401  (torchvision names)
from ..data.transforms._images import pil_image_module

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "FakeData", "DatasetNotFoundError",
           "CorruptDatasetError"]


def _pil_or_array(image):
    Image = pil_image_module()
    return image if Image is None else Image.fromarray(image)


class MNIST(_data.MNIST):
    __doc__ = _data.MNIST.__doc__

    def _item_image(self, image):
        return _pil_or_array(image)


class FashionMNIST(_data.FashionMNIST):
    __doc__ = _data.FashionMNIST.__doc__

    def _item_image(self, image):
        return _pil_or_array(image)


class CIFAR10(_data.CIFAR10):
    __doc__ = _data.CIFAR10.__doc__

    def _item_image(self, image):
        return _pil_or_array(image)


class CIFAR100(_data.CIFAR100):
    __doc__ = _data.CIFAR100.__doc__

    def _item_image(self, image):
        return _pil_or_array(image)


class FakeData(_data.FakeData):
    __doc__ = _data.FakeData.__doc__

    def _item_image(self, image):
        return _pil_or_array(image)


class ImageFolder(_data.ImageFolder):
    __doc__ = _data.ImageFolder.__doc__

    default_loader = staticmethod(pil_loader)
