"""``torch.utils.data._utils.collate``: the collate functions of :mod:`ember.data.collate`."""
from ..collate import default_collate, default_convert

__all__ = ["default_collate", "default_convert"]
