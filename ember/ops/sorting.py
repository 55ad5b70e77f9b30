"""Sorting, selection by rank and counting: ``sort``, ``topk``, ``median``, ``quantile``,
``cummax``, ``unique``, ``searchsorted`` ...

Values come from ``take_along_dim`` at integer indices found by a non-differentiable
primitive (:mod:`ember.primitives.sorting`), so their gradients need no code here.
Ops whose result's *shape* depends on the data (``unique``, ``bincount``) run eagerly
on the tensor's array and carry no gradient, as in PyTorch.
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy

from .. import backend
from ..errors import DTypeError, EmberIndexError, EmberValueError, ShapeError
from ..primitives import sorting as P
from ..primitives.core import bind
from ..primitives.rules import normalize_axis
from ..tensor import Tensor
from ._operands import _tensor, cast
from .elementwise import clone, where
from .comparison import isnan
from .reduce import ValuesIndices, sum as sum_
from .indexing import getitem_index
from .shape import flatten, reshape, squeeze, stack, take_along_dim

Aminmax = namedtuple("aminmax", ["min", "max"])


def _namespace(tensor):
    """The array namespace of ``tensor``'s data (for the eager, data-dependent ops here)."""
    return backend.namespace_of(tensor._data) if tensor is not None else backend.namespace_for(None)


def _zeros_index(shape, like: Tensor) -> Tensor:
    """int64 zeros on ``like``'s device (the indices of a 0-d input)."""
    return Tensor._make(_namespace(like).zeros(shape, "int64"), None, False)


def _ordered(input, op: str) -> Tensor:
    """``input`` as a tensor; complex numbers have no order, so complex input is refused."""
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        from .complex_parts import refuse_complex
        refuse_complex(op, x)
    return x


def _take(x, axis, start, stop):
    """``x`` sliced to ``start:stop`` along ``axis``."""
    return getitem_index(x, (slice(None),) * axis + (slice(start, stop),))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim`` (always stable; NaN sorts as the largest).

    Example:
        >>> import ember
        >>> ember.argsort(ember.tensor([3.0, 1.0, 2.0])).tolist()
        [1, 2, 0]
    """
    x = _ordered(input, "argsort")
    axis = normalize_axis("argsort", dim, x.ndim)
    if x.ndim == 0:
        return _zeros_index((), x)
    return bind(P.Argsort, (x,), (axis, bool(descending)))


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)`` of ``input`` sorted along ``dim``; gradients flow to the values.

    Example:
        >>> import ember
        >>> ember.sort(ember.tensor([3.0, 1.0, 2.0]), descending=True).values.tolist()
        [3.0, 2.0, 1.0]
    """
    x = _ordered(input, "sort")
    indices = argsort(x, dim, descending)
    if x.ndim == 0:
        return ValuesIndices(clone(x), indices)
    return ValuesIndices(take_along_dim(x, indices, dim), indices)


def msort(input) -> Tensor:
    """``input`` sorted along its first dimension."""
    return sort(input, 0).values


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) entries along ``dim`` and their indices, largest first.

    Example:
        >>> import ember
        >>> ember.topk(ember.tensor([1.0, 5.0, 3.0, 4.0]), 2)
        ValuesIndices(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    x = _ordered(input, "topk")
    axis = normalize_axis("topk", dim, x.ndim)
    size = x.shape[axis] if x.ndim else 1
    if not isinstance(k, int) or not 0 <= k <= size:
        raise ShapeError(f"topk: k={k} is out of range for dimension {dim} of size {size} "
                         f"(input shape {x.shape}); expected 0 <= k <= {size}")
    if x.ndim == 0:  # PyTorch gives the 0-d value back, also for k = 0
        return ValuesIndices(clone(x), _zeros_index((), x))
    indices = _take(argsort(x, axis, descending=largest), axis, 0, k)
    return ValuesIndices(take_along_dim(x, indices, axis), indices)


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest entry (1-based) along ``dim`` and its index.

    Example:
        >>> import ember
        >>> ember.kthvalue(ember.tensor([4.0, 1.0, 3.0]), 2).values
        tensor(3.)
    """
    x = _ordered(input, "kthvalue")
    axis = normalize_axis("kthvalue", dim, x.ndim)
    size = x.shape[axis] if x.ndim else 1
    if not isinstance(k, int) or not 1 <= k <= size:
        raise ShapeError(f"kthvalue: k={k} is out of range for dimension {dim} of size {size} "
                         f"(input shape {x.shape}); expected 1 <= k <= {size}")
    return _pick_sorted(x, axis, k - 1, keepdim)


def _pick_sorted(x, axis, position, keepdim):
    """Values and indices at ``position`` (an int, or an int tensor with kept dims) of the ascending sort."""
    if x.ndim == 0:
        return ValuesIndices(clone(x), _zeros_index((), x))
    order = argsort(x, axis)
    if isinstance(position, int):
        indices = _take(order, axis, position, position + 1)
    else:
        indices = take_along_dim(order, position, axis)
    values = take_along_dim(x, indices, axis)
    if not keepdim:
        values, indices = squeeze(values, axis), squeeze(indices, axis)
    return ValuesIndices(values, indices)


def median(input, dim=None, keepdim: bool = False):
    """The lower median: a value (``dim=None``) or ``(values, indices)`` along ``dim``; NaN propagates.

    Example:
        >>> import ember
        >>> ember.median(ember.tensor([4.0, 1.0, 3.0, 2.0]))
        tensor(2.)
    """
    return _median("median", input, dim, keepdim, ignore_nan=False)


def nanmedian(input, dim=None, keepdim: bool = False):
    """Like :func:`median`, ignoring NaN (NaN only where a whole slice is NaN)."""
    return _median("nanmedian", input, dim, keepdim, ignore_nan=True)


def _median(op, input, dim, keepdim, ignore_nan):
    x = _ordered(input, op)
    whole = dim is None
    if whole:
        x = flatten(x)
        dim = 0
    axis = normalize_axis(op, dim, x.ndim)
    size = x.shape[axis] if x.ndim else 1
    if size == 0:
        raise EmberIndexError(f"{op}: cannot compute the median over dimension {dim} of size 0 "
                              f"(input shape {tuple(x.shape)})")
    if x.ndim == 0:
        result = _pick_sorted(x, axis, 0, keepdim)
        return result.values if whole else result
    # the ascending sort puts NaN last: point at the first NaN (median) or the middle of the rest
    nans = sum_(isnan(x), axis, keepdim=True)
    if ignore_nan:
        position = where(nans == size, 0, (size - nans - 1) // 2)
    else:
        position = where(nans > 0, size - nans, (size - 1) // 2)
    result = _pick_sorted(x, axis, position, keepdim or whole)
    if whole:
        return reshape(result.values, (1,) * _tensor(input).ndim) if keepdim else reshape(result.values, ())
    return result


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles (``q`` a float or a 1-D tensor in [0, 1]) along ``dim``; NaN propagates.

    With a 1-D ``q`` the quantiles are stacked along a new first dimension, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.quantile(ember.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5000)
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """Like :func:`quantile`, ignoring NaN."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


def _quantile_levels(op, q):
    levels = q.tolist() if isinstance(q, Tensor) else q
    vector = isinstance(levels, (list, tuple))
    if isinstance(q, Tensor) and q.ndim > 1:
        raise ShapeError(f"{op}: q must be a scalar or a 1-D tensor, got shape {q.shape}")
    levels = list(levels) if vector else [levels]
    for level in levels:
        if not 0 <= level <= 1:
            raise EmberValueError(f"{op}: q values must be in the range [0, 1], got {level}")
    return levels, vector


def _quantile(op, input, q, dim, keepdim, interpolation, ignore_nan):
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{op}: input must be a floating-point tensor, got {x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise EmberValueError(f"{op}: interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
    levels, vector = _quantile_levels(op, q)
    original_ndim, whole = x.ndim, dim is None
    x = flatten(x) if whole or x.ndim == 0 else x
    axis = 0 if whole else normalize_axis(op, dim, original_ndim)
    size = x.shape[axis]
    if size == 0:
        raise EmberIndexError(f"{op}: cannot compute quantiles over an empty dimension (input shape "
                              f"{tuple(_tensor(input).shape)})")
    ordered = sort(x, axis).values
    nans = sum_(isnan(x), axis, keepdim=True)
    count = (size - nans) if ignore_nan else None
    results = [_one_quantile(ordered, axis, size, level, count, interpolation) for level in levels]
    if not ignore_nan:  # one NaN in the slice makes its quantile NaN, as in PyTorch
        results = [where(nans > 0, float("nan"), r) for r in results]
    results = [_quantile_shape(r, axis, keepdim, whole, original_ndim) for r in results]
    return stack(results, 0) if vector else results[0]


def _one_quantile(ordered, axis, size, level, count, interpolation):
    """The ``level`` quantile of each sorted slice (kept dims); ``count``: valid entries per slice."""
    if count is None:
        # the rank in the input's precision, as PyTorch computes it (decides 'nearest' at half-way points)
        scalar = ordered._data.dtype.type
        rank = scalar(level) * scalar(size - 1)
        low, high = int(math.floor(rank)), int(math.ceil(rank))
        below, above = _take(ordered, axis, low, low + 1), _take(ordered, axis, high, high + 1)
        fraction = float(rank - scalar(low))
        nearest = int(numpy.rint(rank))  # half to even, as torch.round
    else:  # per-slice ranks over the non-NaN entries (NaN sorts last)
        rank = cast(where(count > 0, count - 1, 0), ordered.dtype) * level
        low, high = cast(rank // 1, "int64"), cast(-((-rank) // 1), "int64")
        below, above = take_along_dim(ordered, low, axis), take_along_dim(ordered, high, axis)
        fraction = rank - cast(low, ordered.dtype)
        nearest = None
    if interpolation == "lower":
        return below
    if interpolation == "higher":
        return above
    if interpolation == "midpoint":
        return below + (above - below) * 0.5
    if interpolation == "nearest":
        if nearest is None:
            return take_along_dim(ordered, cast(_round_half_even(rank), "int64"), axis)
        return _take(ordered, axis, nearest, nearest + 1)
    return below + (above - below) * fraction


def _round_half_even(values):
    from .elementwise import round as round_
    return round_(values)


def _quantile_shape(result, axis, keepdim, whole, original_ndim):
    if original_ndim == 0:
        return reshape(result, ())
    if keepdim:
        return reshape(result, (1,) * original_ndim) if whole else result
    return reshape(result, ()) if whole else squeeze(result, axis)


def mode(input, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest among ties) and its last index.

    Example:
        >>> import ember
        >>> ember.mode(ember.tensor([1.0, 3.0, 3.0, 2.0])).values
        tensor(3.)
    """
    x = _tensor(input)
    axis = normalize_axis("mode", dim, x.ndim)
    if x.ndim == 0:
        return ValuesIndices(clone(x), _zeros_index((), x))
    indices = bind(P.ModeIndex, (x,), (axis,))
    values = take_along_dim(x, indices, axis)
    if not keepdim:
        values, indices = squeeze(values, axis), squeeze(indices, axis)
    return ValuesIndices(values, indices)


def _cumulative_extremum(op, which, input, dim):
    x = _tensor(input)
    axis = normalize_axis(op, dim, x.ndim)
    if x.ndim == 0:
        return ValuesIndices(clone(x), _zeros_index((), x))
    indices = bind(P.CumExtremumIndex, (x,), (axis, which))
    return ValuesIndices(take_along_dim(x, indices, axis), indices)


def cummax(input, dim: int):
    """Running maximum along ``dim`` and where it was found (the latest among ties).

    Example:
        >>> import ember
        >>> ember.cummax(ember.tensor([1.0, 3.0, 2.0]), 0).values.tolist()
        [1.0, 3.0, 3.0]
    """
    return _cumulative_extremum("cummax", "max", input, dim)


def cummin(input, dim: int):
    """Running minimum along ``dim`` and where it was found (the latest among ties)."""
    return _cumulative_extremum("cummin", "min", input, dim)


def cumprod(input, dim: int, *, dtype=None) -> Tensor:
    """Running product along ``dim``; integers accumulate as int64. Exact gradients also at zeros.

    Example:
        >>> import ember
        >>> ember.cumprod(ember.tensor([1.0, 2.0, 3.0]), 0).tolist()
        [1.0, 2.0, 6.0]
    """
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x._data.dtype.kind in "iub":
        x = cast(x, backend.int64)
    axis = normalize_axis("cumprod", dim, x.ndim)
    if x.ndim == 0:
        return clone(x)
    return bind(P.Cumprod, (x,), (axis,))


def logcumsumexp(input, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow.

    Example:
        >>> import ember
        >>> ember.logcumsumexp(ember.tensor([0.0, 0.0]), 0)
        tensor([0.0000, 0.6931])
    """
    x = _tensor(input)
    axis = normalize_axis("logcumsumexp", dim, x.ndim)
    if x.ndim == 0:
        return clone(x) if x._data.dtype.kind == "f" else bind(P.Logcumsumexp, (x,), (0,))
    return bind(P.Logcumsumexp, (x,), (axis,))


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter=None) -> Tensor:
    """Where ``input``'s values would be inserted into the sorted last dimension of ``sorted_sequence``.

    Example:
        >>> import ember
        >>> ember.searchsorted(ember.tensor([1, 3, 5]), ember.tensor([3, 6])).tolist()
        [1, 3]
    """
    boundaries = _tensor(sorted_sequence)
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise EmberValueError(f"searchsorted: side must be 'left' or 'right' and agree with right={right}, "
                                  f"got side={side!r}")
        right = side == "right"
    if sorter is not None:
        boundaries = take_along_dim(boundaries, _tensor(sorter), -1)
    scalar = not isinstance(input, Tensor) and not hasattr(input, "shape")
    values = _tensor(input)
    if boundaries.ndim == 0:
        raise ShapeError("searchsorted: boundaries must have at least one dimension, got a 0-d tensor")
    if scalar and boundaries.ndim != 1:
        raise ShapeError(f"searchsorted: a scalar input needs 1-D boundaries, got shape {boundaries.shape}")
    dtype = "int32" if out_int32 else "int64"
    return bind(P.Searchsorted, (boundaries, values), (bool(right), dtype))


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value of ``input`` between 1-D ``boundaries`` (PyTorch's ``right`` rule).

    Example:
        >>> import ember
        >>> ember.bucketize(ember.tensor([0.5, 3.0, 9.0]), ember.tensor([1.0, 3.0, 5.0])).tolist()
        [0, 1, 3]
    """
    boundaries = _tensor(boundaries)
    if boundaries.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-D, got shape {boundaries.shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """The distinct values (sorted), optionally with each entry's position among them and their counts.

    The result's length depends on the data, so no gradient flows (as in PyTorch).

    Example:
        >>> import ember
        >>> ember.unique(ember.tensor([2, 1, 2, 3]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 2, 1]))
    """
    x = _tensor(input)
    xp = _namespace(x)
    axis = None if dim is None else normalize_axis("unique", dim, x.ndim)
    values, inverse, counts = xp.unique(x._data, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(x.shape if axis is None else (x.shape[axis],))
    outputs = [Tensor._make(values, None, False)]
    if return_inverse:
        outputs.append(Tensor._make(inverse.astype("int64"), None, False))
    if return_counts:
        outputs.append(Tensor._make(counts.astype("int64"), None, False))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive entries (of the flattened tensor when ``dim`` is None)."""
    x = _tensor(input)
    xp = _namespace(x)
    data = x._data.reshape(-1) if dim is None else xp.moveaxis(x._data, normalize_axis(
        "unique_consecutive", dim, x.ndim), 0)
    length = data.shape[0]
    changes = xp.ones(length, bool)
    if length > 1:
        different = data[1:] != data[:-1]
        changes[1:] = different.reshape(length - 1, -1).any(axis=1)
    starts = xp.nonzero(changes)[0]
    values = data[starts] if dim is None else xp.moveaxis(data[starts], 0, normalize_axis("unique", dim, x.ndim))
    outputs = [Tensor._make(xp.ascontiguousarray(values), None, False)]
    if return_inverse:
        inverse = xp.cumsum(changes) - 1
        outputs.append(Tensor._make(inverse.reshape(x.shape if dim is None else (length,)).astype("int64"),
                                    None, False))
    if return_counts:
        outputs.append(Tensor._make(xp.diff(xp.append(starts, length)).astype("int64"), None, False))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs in the 1-D ``input`` (or the sum of its ``weights``).

    Example:
        >>> import ember
        >>> ember.bincount(ember.tensor([0, 2, 2])).tolist()
        [1, 0, 2]
    """
    x = _tensor(input)
    xp = _namespace(x)
    if x.ndim != 1 or x._data.dtype.kind not in "iu" or (x._data.size and x._data.min() < 0):
        raise EmberValueError(f"bincount: expected a 1-D tensor of non-negative integers, got shape {x.shape} "
                              f"and dtype {x.dtype}")
    if minlength < 0:
        raise EmberValueError(f"bincount: minlength must be non-negative, got {minlength}")
    if weights is None or x._data.size == 0:  # PyTorch counts in int64 also when weights meet no input
        return Tensor._make(xp.bincount(x._data, minlength=minlength).astype("int64"), None, False)
    w = _tensor(weights)
    if w.shape != x.shape:
        raise ShapeError(f"bincount: weights of shape {w.shape} must have the input's shape {x.shape}")
    dtype = w._data.dtype if w._data.dtype.kind == "f" else "float64"
    return Tensor._make(xp.bincount(x._data, w._data, minlength=minlength).astype(dtype), None, False)


def histc(input, bins: int = 100, min=0, max=0) -> Tensor:
    """Counts in ``bins`` equal bins between ``min`` and ``max`` (the data's range when both are 0).

    Example:
        >>> import ember
        >>> ember.histc(ember.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3).tolist()
        [0.0, 2.0, 1.0, 0.0]
    """
    x = _tensor(input)
    xp = _namespace(x)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"histc: expected a floating-point tensor, got {x.dtype}")
    if bins <= 0:
        raise EmberValueError(f"histc: bins must be positive, got {bins}")
    low, high = float(min), float(max)
    if low > high:
        raise EmberValueError(f"histc: max ({max}) must be larger than or equal to min ({min})")
    data = x._data.reshape(-1)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    inside = data[(data >= low) & (data <= high)]
    # PyTorch's binning: floor((x - min) * bins / (max - min)), with max itself in the last bin
    positions = ((inside - low) * bins / (high - low)).astype("int64")
    positions = xp.minimum(positions, bins - 1)
    return Tensor._make(xp.bincount(positions, minlength=bins).astype(x._data.dtype), None, False)


def aminmax(input, *, dim=None, keepdim: bool = False):
    """``(min, max)`` over ``dim`` (everything when None).

    Example:
        >>> import ember
        >>> ember.aminmax(ember.tensor([3.0, -1.0, 2.0]))
        aminmax(min=tensor(-1.), max=tensor(3.))
    """
    from .reduce import amax, amin
    all_dims = () if dim is None else dim
    return Aminmax(amin(input, all_dims, keepdim), amax(input, all_dims, keepdim))


__all__ = ["aminmax", "argsort", "bincount", "bucketize", "cummax", "cummin", "cumprod", "histc",
           "kthvalue", "logcumsumexp", "median", "mode", "msort", "nanmedian", "nanquantile", "quantile",
           "searchsorted", "sort", "topk", "unique", "unique_consecutive"]
