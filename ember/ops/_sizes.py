"""Sizes given to the shape helpers (``reshape``, ``view``, ``zeros``, ``broadcast_to``, ``pad`` ...).

While a static graph is traced with a symbolic batch, ``x.shape[0]`` is a
symbolic size (``ember.graph.dims.Dim``, an ``int`` subclass whose value is the
size seen while tracing). The helpers must keep it as it is, so
``x.view(x.size(0), -1)`` stays ``(batch, -1)`` in the graph instead of the
traced number. ``int(x.shape[0])`` cannot stay symbolic (Python makes it an
exact ``int``), so the trace notes the number it made, and :func:`size_value`
hands it back as the size it came from (``ember.graph.int_sizes`` says how
the trace then checks that this was right).

Example:
    >>> import numpy
    >>> size_value(3), size_value(numpy.int64(4)), size_value(True)
    (3, 4, 1)
"""
from __future__ import annotations

from ..primitives.core import dispatch


def size_value(value) -> int:
    """One size or shape entry as an ``int``; a symbolic size is kept as it is."""
    if type(value) is int:
        tracer = dispatch.tracer
        return value if tracer is None else tracer.size_from_int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # a symbolic size: an int subclass that must not be made a plain int
    return int(value)  # NumPy integers, one-element tensors, as ``int()`` always accepted


_PLAIN_INT = {int}


def size_tuple(values) -> tuple:
    """A shape given as sizes, each through :func:`size_value`."""
    if type(values) is tuple and not dispatch.active and _PLAIN_INT.issuperset(map(type, values)):
        return values  # plain ints and no trace anywhere: nothing to convert (the common case)
    return tuple(size_value(value) for value in values)
