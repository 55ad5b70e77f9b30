"""torchvision's ``transforms``, spelled ``from ember.vision import transforms``.

The transforms live in :mod:`ember.data.transforms`; this module is the same
objects under torchvision's import path.

Example:
    >>> from ember.vision import transforms
    >>> from ember.data import transforms as data_transforms
    >>> transforms.ToTensor is data_transforms.ToTensor
    True
"""
from ember.data.transforms import *  # noqa: F401,F403  (re-exported)
from ember.data.transforms import __all__, functional  # noqa: F401
