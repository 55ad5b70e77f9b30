"""numba helpers the generated loop kernels import (loaded only on the numba path).

A kernel operand may arrive as an array or, where NumPy returned a scalar
(a full reduction without ``out=``), as a NumPy scalar. These overloads let
one kernel body accept both: ``flat`` gives a 1-D view (or a copy, for
memory that is not C-contiguous) and ``first`` gives the single element of a
broadcast operand.
"""
from __future__ import annotations

import numpy
from numba import types
from numba.extending import overload


def flat(value):
    """``value`` as a 1-D array: a view when it is C-contiguous."""
    return numpy.ravel(value)


def first(value):
    """The one element of a size-1 operand."""
    return numpy.ravel(value)[0]


@overload(flat)
def _flat(value):
    if isinstance(value, types.Array):
        return lambda value: value.ravel()
    return lambda value: numpy.full(1, value)


@overload(first)
def _first(value):
    if isinstance(value, types.Array):
        return lambda value: value.ravel()[0]
    return lambda value: value
