"""``torch.nn.modules.utils``: ``_single``, ``_pair``, ``_triple``, ``_quadruple`` and ``_ntuple``
(a size given as one number or as an iterable, as a tuple of ``n`` entries).

Example:
    >>> _pair(3), _pair((1, 2)), _triple(2)
    ((3, 3), (1, 2), (2, 2, 2))
"""
from __future__ import annotations

from collections.abc import Iterable


def _ntuple(n: int, name: str = "parse"):
    def parse(value):
        if isinstance(value, Iterable) and not isinstance(value, str):
            return tuple(value)
        return (value,) * n
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
