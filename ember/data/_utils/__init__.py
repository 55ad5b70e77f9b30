"""PyTorch's private ``torch.utils.data._utils`` path, which programs import ``default_collate`` from.

Example:
    >>> from ember.utils.data._utils.collate import default_collate
    >>> default_collate([1, 2])
    tensor([1, 2])
"""
from . import collate

__all__ = ["collate"]
