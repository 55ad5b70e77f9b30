"""torchvision's ``transforms``, spelled ``from ember.vision import transforms``.

The transforms live in :mod:`ember.data.transforms`; this package gives the
same objects under torchvision's import paths, including
``ember.vision.transforms.functional`` for ``torchvision.transforms.functional``.

Example:
    >>> from ember.vision import transforms
    >>> from ember.data import transforms as data_transforms
    >>> transforms.ToTensor is data_transforms.ToTensor
    True
"""
from ember.data.transforms import *  # noqa: F401,F403  (re-exported)
from ember.data.transforms import __all__  # noqa: F401

from . import functional, v2  # noqa: E402  (submodules: `import ember.vision.transforms.functional`)
