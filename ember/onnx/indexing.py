"""``getitem`` as ONNX ``Slice``, ``Gather``, ``Squeeze`` and ``Unsqueeze``.

Ember normalises an index to a tuple of ints, slices, ``None``,
``Ellipsis`` and integer arrays. Static slices and ints become one
``Slice`` (ints then squeezed), ``None`` an ``Unsqueeze``, and one integer
array a ``Gather``; other advanced indexing is not exported.

Example:
    >>> _expand_ellipsis((Ellipsis, 0), 3)
    (slice(None, None, None), slice(None, None, None), 0)
"""
from __future__ import annotations

import numpy

from ember.graph.ir import Value

from .errors import ExportError, where

_LOWEST, _HIGHEST = numpy.iinfo(numpy.int64).min, numpy.iinfo(numpy.int64).max


def _expand_ellipsis(index, ndim):
    index = index if isinstance(index, tuple) else (index,)
    used = sum(1 for item in index if item is not None and item is not Ellipsis)
    if Ellipsis not in index:
        return index + (slice(None),) * (ndim - used)
    at = index.index(Ellipsis)
    return index[:at] + (slice(None),) * (ndim - used) + index[at + 1:]


def _slice_bounds(item):
    step = 1 if item.step is None else item.step
    start = item.start if item.start is not None else (0 if step > 0 else -1)
    stop = item.stop if item.stop is not None else (_HIGHEST if step > 0 else _LOWEST)
    return int(start), int(stop), int(step)


def _plan(node, index):
    """Slices per input axis, axes to squeeze, positions to unsqueeze, and the gathered axis."""
    slices, squeeze, unsqueeze, gather = [], [], [], None
    axis = position = 0
    for item in index:
        if item is None:
            unsqueeze.append(position)
            position += 1
            continue
        if isinstance(item, slice):
            if item != slice(None):
                slices.append((axis,) + _slice_bounds(item))
            position += 1
        elif isinstance(item, (int, numpy.integer)) and not isinstance(item, bool):
            slices.append((axis, int(item), int(item) + 1 if item != -1 else _HIGHEST, 1))
            squeeze.append(axis)
        elif isinstance(item, (Value, numpy.ndarray)) and gather is None and item.dtype.kind in "iu":
            gather = (axis, item)
            position += item.ndim
        else:
            raise ExportError(f"getitem with index {item!r} has no ONNX mapping{where(node)}")
        axis += 1
    return slices, squeeze, unsqueeze, gather


def getitem(builder, node):
    x = node.inputs[0]
    index = _expand_ellipsis(node.attrs[0], x.ndim)
    slices, squeeze, unsqueeze, gather = _plan(node, index)
    if gather is not None and squeeze:
        raise ExportError(f"getitem mixing an index array with integers has no ONNX mapping{where(node)}")
    result = builder.name(x)
    if slices:
        columns = [[s[i] for s in slices] for i in (1, 2, 0, 3)]  # starts, ends, axes, steps
        result = builder.emit("Slice", [result] + [builder.axes(c) for c in columns])
    if gather is not None:
        axis, indices = gather
        indices = builder.name(indices) if isinstance(indices, Value) else builder.constant(indices)
        result = builder.emit("Gather", [result, indices], axis=axis)
    if squeeze:
        result = builder.emit("Squeeze", [result, builder.axes(squeeze)])
    if unsqueeze:
        result = builder.emit("Unsqueeze", [result, builder.axes(unsqueeze)])
    return result


CONVERTERS = {"getitem": getitem}
