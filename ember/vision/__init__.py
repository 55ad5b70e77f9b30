"""torchvision's spelling: ``from ember.vision import datasets, transforms`` and ``ember.vision.utils``.

``from torchvision import datasets, transforms`` becomes
``from ember.vision import datasets, transforms``, and
``from torchvision.utils import save_image`` becomes
``from ember.vision.utils import save_image``. Datasets and transforms are
:mod:`ember.data`'s; Pillow (``pip install 'ember[vision]'``) is needed only
for PIL images and for writing image files.

Example:
    >>> import ember
    >>> from ember.vision import transforms, utils
    >>> grid = utils.make_grid(ember.ones(4, 1, 8, 8), nrow=2, padding=1)
    >>> grid.shape
    (3, 19, 19)
"""
from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
