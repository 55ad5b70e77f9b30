"""``keras.ops``'s integer and counting functions: bitwise ops and shifts, ``gcd``, ``lcm``,
``nextafter``, ``view``, ``histogram``, ``unique``, ``correlate`` and ``vectorize``.

They call Ember's PyTorch-named ops (:mod:`ember.ops.bitwise`, :func:`ember.histogram`,
:func:`ember.unique`), as Keras's torch backend calls torch's. ``histogram`` and ``unique`` have
data-dependent result shapes: they run eagerly (inside ``ember.function`` they raise the
tracer's error for data-dependent ops).

Example:
    >>> from ember.keras import ops
    >>> ops.bitwise_and([12, 10], [10, 6]).tolist(), ops.left_shift([1, 2], 3).tolist()
    ([8, 2], [8, 16])
    >>> ops.gcd([4, 9], [6, 6]).tolist(), ops.unique([3, 1, 3]).tolist()
    ([2, 3], [1, 3])
"""
from __future__ import annotations

import re

import numpy

import ember
from ember.ops import bitwise as B
from ember.ops import functions as F
import ember.nn.functional as NF

from .numpy_ops import _t


def bitwise_and(x, y):
    return B.bitwise_and(_t(x), _t(y))


def bitwise_or(x, y):
    return B.bitwise_or(_t(x), _t(y))


def bitwise_xor(x, y):
    return B.bitwise_xor(_t(x), _t(y))


def bitwise_invert(x):
    return B.bitwise_not(_t(x))


bitwise_not = bitwise_invert


def _shift_amount(y):
    return y if isinstance(y, int) else _t(y)  # a Python int stays weakly typed, as in Keras


def bitwise_left_shift(x, y):
    return B.bitwise_left_shift(_t(x), _shift_amount(y))


def bitwise_right_shift(x, y):
    return B.bitwise_right_shift(_t(x), _shift_amount(y))


left_shift, right_shift = bitwise_left_shift, bitwise_right_shift


def gcd(x1, x2):
    return B.gcd(_t(x1), _t(x2))


def lcm(x1, x2):
    return B.lcm(_t(x1), _t(x2))


def nextafter(x1, x2):
    """Computed in float64 and cast back to the operands' float type, as Keras does."""
    a, b = _t(x1), _t(x2)
    dtype = ember.promote_types(a.dtype, b.dtype)
    dtype = dtype if dtype.is_floating_point else ember.float32
    return F.cast(B.nextafter(F.cast(a, "float64"), F.cast(b, "float64")), dtype)


def view(x, dtype=None):
    """The same bytes as ``dtype`` (the last axis scales by the item sizes' ratio)."""
    value = _t(x)
    return value if dtype is None else B.bitcast(value, dtype)


def histogram(x, bins: int = 10, range=None):  # noqa: A002  (Keras's name)
    """``(counts, bin_edges)`` of a 1-D tensor in ``bins`` equal bins over ``range`` (the data's when None)."""
    value = _t(x)
    if value.ndim != 1:
        raise ValueError(f"histogram: the input tensor must be 1-dimensional, got shape {tuple(value.shape)}")
    return tuple(ember.histogram(value, bins, range=range))


def _first_indices(inverse, count: int):
    """For each unique value, the position of its first occurrence (from the inverse map)."""
    positions = numpy.full(count, inverse.size, dtype="int64")
    numpy.minimum.at(positions, inverse, numpy.arange(inverse.size))
    return positions


def _fit(values, size: int, fill, axis: int):
    """Truncate or pad ``values`` along ``axis`` to ``size`` entries (Keras's static-size unique)."""
    length = values.shape[axis]
    if length >= size:
        return F.getitem_index(values, (slice(None),) * axis + (slice(0, size),))
    padding = [0, 0] * values.ndim
    padding[2 * (values.ndim - 1 - axis) + 1] = size - length
    return NF.pad(values, padding, value=fill)


def unique(x, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, axis=None, size=None, fill_value=None):
    """The distinct values (along ``axis``, or of the flattened tensor), optionally with the first
    index of each, the inverse map and the counts (int64); ``size`` truncates or pads with ``fill_value``."""
    value = _t(x)
    values, inverse, counts = ember.unique(value, sorted=sorted, return_inverse=True, return_counts=True, dim=axis)
    dim = 0 if axis is None else axis % value.ndim
    index = ember.from_numpy(_first_indices(numpy.asarray(inverse).reshape(-1), values.shape[dim]))
    if size is not None:
        values = _fit(values, size, 0 if fill_value is None else fill_value, dim)
        counts, index = _fit(counts, size, 0, 0), _fit(index, size, 1, 0)
    extras = [index] * return_index + [inverse] * return_inverse + [counts] * return_counts
    return values if not extras else (values, *extras)


def correlate(x1, x2, mode: str = "valid"):
    """NumPy's cross-correlation of 1-D signals (float32, or float64 for 64-bit inputs, as Keras)."""
    a, b = _t(x1), _t(x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"correlate: expected two 1-D signals, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    dtype = ember.promote_types(a.dtype, b.dtype)
    dtype = ember.float64 if dtype in (ember.int64, ember.float64) else \
        ember.float16 if dtype == ember.float16 else ember.float32
    a, b = F.cast(a, dtype), F.cast(b, dtype)
    full = NF.conv1d(F.reshape(a, (1, 1, -1)), F.reshape(b, (1, 1, -1)), padding=b.shape[-1] - 1)
    full = F.reshape(full, (-1,))
    if mode == "full":
        return full
    if mode not in ("valid", "same"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', got {mode!r}")
    length = abs(a.shape[-1] - b.shape[-1]) + 1 if mode == "valid" else a.shape[-1]
    start = (full.shape[0] - length) // 2
    return full[start:start + length]


_SIGNATURE = re.compile(r"\(([^()]*)\)")


def _core_dims(signature):
    """Per input, its number of core dimensions (``"(n),(n)->()"`` gives [1, 1])."""
    if signature is None:
        return None
    inputs = signature.split("->")[0]
    return [len([name for name in group.split(",") if name.strip()]) for group in _SIGNATURE.findall(inputs)]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over the broadcast leading (loop) dimensions of its tensor arguments,
    NumPy's ``vectorize`` with ``ember.func.vmap`` doing the mapping.

    Without a ``signature`` every dimension is a loop dimension (``pyfunc`` sees scalars);
    ``excluded`` names positions (or keywords) passed through unchanged.
    """
    excluded = set(excluded or ())

    def mapped(*args, **kwargs):
        positions = [i for i in range(len(args)) if i not in excluded]
        tensors = [_t(args[i]) for i in positions]
        cores = _core_dims(signature) or [0] * len(tensors)
        loops = [t.shape[:t.ndim - core] for t, core in zip(tensors, cores)]
        loop_shape = numpy.broadcast_shapes(*loops)
        tensors = [F.broadcast_to(t, tuple(loop_shape) + tuple(t.shape[t.ndim - core:]))
                   for t, core in zip(tensors, cores)]

        def call(*values):
            full = list(args)
            for position, v in zip(positions, values):
                full[position] = v
            return pyfunc(*full, **kwargs)
        function = call
        for _ in loop_shape:
            function = ember.func.vmap(function)
        return function(*tensors)
    return mapped


__all__ = ["bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
           "bitwise_xor", "correlate", "gcd", "histogram", "lcm", "left_shift", "nextafter", "right_shift", "unique",
           "vectorize", "view"]
