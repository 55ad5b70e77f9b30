"""Primitives that exist only inside graphs (not in the public table ``PRIMITIVES``).

``full`` makes an array of a symbolic shape (``zeros((batch, 10))`` while
tracing); it has no inputs, so nothing to differentiate.
"""
from __future__ import annotations

import numpy

from ..primitives.core import Primitive


class Full(Primitive):
    """An array of ``shape`` filled with ``value`` (a number, possibly a symbolic size)."""

    name = "full"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, shape, value, dtype):
        return xp.full(shape, value, dtype=dtype)

    @staticmethod
    def abstract(shape, value, dtype):
        return tuple(shape), numpy.dtype(dtype)

    @staticmethod
    def vjp(ctx, grad):
        return ()


full = Full()
