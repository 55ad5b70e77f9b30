"""Image transforms with torchvision's names and conventions (also ``ember.vision.transforms``).

Transforms take a PIL image (when Pillow is installed), a NumPy array laid
out as PIL's (``H x W`` or ``H x W x C``), or an Ember tensor laid out as
torchvision's (``H x W`` or ``... x C x H x W``, so a whole batch at once),
and return the same kind. :class:`ToTensor` turns PIL images and arrays
into ``C x H x W`` float tensors in [0, 1]. The arithmetic is torchvision's
tensor path for every kind, in NumPy.

Example:
    >>> import numpy, ember
    >>> from ember.vision import transforms
    >>> _ = ember.manual_seed(0)
    >>> pipeline = transforms.Compose([transforms.ToTensor(), transforms.RandomCrop(24, padding=2),
    ...                                transforms.Normalize((0.1307,), (0.3081,))])
    >>> pipeline(numpy.zeros((28, 28), numpy.uint8)).shape
    (1, 24, 24)
"""
from . import functional
from .augment import GaussianBlur, RandomErasing
from .color import ColorJitter, Grayscale, RandomGrayscale
from .conversion import (Compose, ConvertImageDtype, Lambda, Normalize, PILToTensor, RandomApply, ToPILImage,
                         ToTensor)
from .functional import InterpolationMode
from .geometry import (CenterCrop, Pad, RandomAffine, RandomCrop, RandomHorizontalFlip, RandomResizedCrop,
                       RandomRotation, RandomVerticalFlip, Resize)

__all__ = ["Compose", "RandomApply", "Lambda", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype",
           "Normalize", "Pad", "RandomCrop", "CenterCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Resize",
           "RandomResizedCrop", "RandomRotation", "RandomAffine", "ColorJitter", "Grayscale", "RandomGrayscale",
           "GaussianBlur", "RandomErasing", "InterpolationMode", "functional"]
