"""``histogram``: PyTorch's ``torch.histogram`` (counts and bin edges), beside :func:`ember.histc`.

The bin counts depend on the data only through comparisons, so no gradient flows (as in
PyTorch); the op runs eagerly on the tensor's array (inside ``ember.function`` it raises the
tracer's data-dependent-op error).
"""
from __future__ import annotations

from collections import namedtuple

from .. import backend
from ..errors import DTypeError, EmberRuntimeError, EmberValueError, ShapeError
from ..primitives.core import dispatch
from ..tensor import Tensor
from ._operands import _tensor

Histogram = namedtuple("histogram", ["hist", "bin_edges"])


def _edges(xp, data, bins, range):
    """The bin edges: given as a tensor, or ``bins`` equal bins over ``range`` (the data's when None)."""
    if isinstance(bins, Tensor):
        if bins.ndim != 1 or bins.shape[0] < 2:
            raise ShapeError(f"histogram: bins given as edges must be 1-D with at least 2 entries, got shape {bins.shape}")
        return bins._data.astype(data.dtype)
    if int(bins) <= 0:
        raise EmberValueError(f"histogram: bins must be positive, got {bins}")
    if range is None:
        low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
    else:
        low, high = float(range[0]), float(range[1])
        if low > high:
            raise EmberValueError(f"histogram: range must be (min, max) with min <= max, got {range}")
    if low == high:  # one value: a unit-wide range around it, as NumPy and PyTorch
        low, high = low - 0.5, high + 0.5
    return xp.linspace(low, high, int(bins) + 1).astype(data.dtype)


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False) -> Histogram:
    """Counts (or summed ``weight``) per bin and the bin edges; the last bin includes its right edge.

    Example:
        >>> import ember
        >>> counts, edges = ember.histogram(ember.tensor([1.0, 2.0, 1.0, 5.0]), bins=4)
        >>> counts.tolist(), edges.tolist()
        ([2.0, 1.0, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"histogram: expected a floating-point tensor, got {x.dtype}")
    if dispatch.tracer is not None:  # inside ember.function: symbolic data has no values to count
        raise EmberRuntimeError("histogram: the counts depend on the data's values, which ember.function does not "
                           "know while tracing; call ember.histogram outside the traced function")
    xp = backend.namespace_of(x._data)
    data = x._data.reshape(-1)
    edges = _edges(xp, data, bins, range)
    weights = None if weight is None else _tensor(weight)._data.reshape(-1)
    if weights is not None and weights.shape != data.shape:
        raise ShapeError(f"histogram: weight of shape {tuple(_tensor(weight).shape)} must have the input's shape "
                         f"{tuple(x.shape)}")
    counts, _ = xp.histogram(data, bins=edges, weights=weights, density=density)
    return Histogram(Tensor._make(counts.astype(data.dtype), None, False), Tensor._make(edges, None, False))


__all__ = ["histogram"]
