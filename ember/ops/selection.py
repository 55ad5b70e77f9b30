"""Selecting and writing by index or mask: ``index_select``, ``masked_select``, ``nonzero``,
``scatter``/``scatter_reduce``, ``index_add``/``index_copy``/``index_fill``, ``masked_scatter``.

Each becomes an index tuple NumPy understands (slices plus one integer array per indexed axis)
and then one of the indexing primitives (``getitem``, ``index_add``, ``index_put``,
``scatter_add_zeros``), whose VJPs give the gradients. Where a mask's ``True`` count fixes
the result's length (``masked_select``, ``nonzero``), the positions are read eagerly.
"""
from __future__ import annotations

from ..errors import DTypeError, EmberIndexError, EmberValueError, ShapeError
from ..primitives import scatter as P
from ..primitives.core import bind, dispatch
from ..primitives.rules import normalize_axis
from ..tensor import Tensor
from ._operands import _tensor, cast
from .elementwise import where
from .indexing import getitem_index, index_add_zeros, index_put_value
from .shape import _along, broadcast_tensors, broadcast_to, flatten, scatter_add_zeros, stack
from .sorting import _namespace


def _index_vector(op, index, size, axis, shape):
    """A 1-D integer index along ``axis`` as an array, negatives wrapped, bounds checked."""
    index = _tensor(index)
    if index._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer tensor, got {index.dtype}")
    if index.ndim > 1:
        raise ShapeError(f"{op}: index must be 0-D or 1-D, got shape {index.shape}")
    data = index._data.reshape(-1)
    if data.size and (data.min() < -size or data.max() >= size):
        bad = int(data.max() if data.max() >= size else data.min())
        raise EmberIndexError(f"{op}: index {bad} is out of range for dimension {axis} of size {size} "
                              f"(input shape {shape})")
    return data % size if data.size and data.min() < 0 else data


def _along_axis(x, axis, vector):
    return (slice(None),) * axis + (vector,)


def index_select(input, dim: int, index) -> Tensor:
    """The entries of ``input`` at ``index`` (1-D) along ``dim``.

    Example:
        >>> import ember
        >>> ember.index_select(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([1])).tolist()
        [[2], [4]]
    """
    x = _tensor(input)
    axis = normalize_axis("index_select", dim, x.ndim)
    if x.ndim == 0:  # PyTorch gives the 0-d value back (its index must be 0)
        _index_vector("index_select", index, 1, axis, x.shape)
        return getitem_index(x, ())
    vector = _index_vector("index_select", index, x.shape[axis], axis, x.shape)
    return getitem_index(x, _along_axis(x, axis, vector))


def _mask(op, mask):
    mask = _tensor(mask)
    if mask._data.dtype.kind != "b":
        raise DTypeError(f"{op}: mask must be a bool tensor, got {mask.dtype}")
    return mask


def masked_select(input, mask) -> Tensor:
    """The entries of ``input`` where ``mask`` (broadcast against it) is true, as a 1-D tensor.

    Example:
        >>> import ember
        >>> ember.masked_select(ember.tensor([1, 2, 3]), ember.tensor([True, False, True])).tolist()
        [1, 3]
    """
    x, mask = broadcast_tensors(_tensor(input), _mask("masked_select", mask))
    if x.ndim == 0:
        return flatten(x) if bool(mask) else flatten(x)[:0]
    return getitem_index(x, tuple(mask._data.nonzero()))


def nonzero(input, *, as_tuple: bool = False):
    """Coordinates of the non-zero entries: an ``(n, ndim)`` tensor, or one 1-D tensor per dimension.

    Example:
        >>> import ember
        >>> ember.nonzero(ember.tensor([[0, 1], [2, 0]])).tolist()
        [[0, 1], [1, 0]]
    """
    x = _tensor(input)
    data = x._data
    xp = _namespace(x)
    if x.ndim == 0:
        found = 1 if bool(data) else 0
        if as_tuple:
            return (Tensor._make(xp.zeros(found, "int64"), None, False),)
        return Tensor._make(xp.zeros((found, 0), "int64"), None, False)
    coordinates = [c.astype("int64") for c in data.nonzero()]
    if as_tuple:
        return tuple(Tensor._make(c, None, False) for c in coordinates)
    return Tensor._make(xp.stack(coordinates, axis=1), None, False)


def argwhere(input) -> Tensor:
    """Coordinates of the non-zero entries, one row each (``nonzero(input)``)."""
    return nonzero(input)


def _scatter_index(op, x, axis, index):
    """``index`` as a tensor, checked to fit ``x`` outside ``axis``."""
    index = _along(op, x, index, axis)
    if any(i > s for d, (i, s) in enumerate(zip(index.shape, x.shape)) if d != axis):
        raise ShapeError(f"{op}: index {index.shape} must not be larger than input {x.shape} "
                         f"outside dimension {axis}")
    return index


def _scatter_coordinates(op, x, axis, index):
    """One integer array per axis addressing, for each entry of ``index``, its target in ``x``."""
    index = _scatter_index(op, x, axis, index)
    xp = _namespace(index)
    shape = index.shape
    coordinates = [xp.arange(n).reshape((1,) * d + (n,) + (1,) * (len(shape) - d - 1))
                   for d, n in enumerate(shape)]
    coordinates[axis] = index._data
    return tuple(xp.broadcast_arrays(*coordinates)) if shape else (index._data,), index


def _source(op, src, index, x):
    """``src`` cut to ``index``'s shape (PyTorch reads only that corner of it)."""
    if not isinstance(src, Tensor) and not hasattr(src, "shape"):
        return src  # a scalar value
    src = _tensor(src)
    if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
        raise ShapeError(f"{op}: src {src.shape} must have the index's rank and be at least as large as "
                         f"index {index.shape} in every dimension")
    src = getitem_index(src, tuple(slice(0, i) for i in index.shape))
    return cast(src, x.dtype) if src._data.dtype != x._data.dtype else src


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``input`` with ``src`` (or the scalar ``value``) written at ``index`` along ``dim``.

    ``reduce='add'``/``'multiply'`` accumulate instead (PyTorch's older form of ``scatter_reduce``).
    With repeated indices and no reduction, which write wins is unspecified, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.scatter(ember.zeros(3), 0, ember.tensor([2, 0]), ember.tensor([5.0, 7.0])).tolist()
        [7.0, 0.0, 5.0]
    """
    x = _tensor(input)
    if src is None:
        src = value
    if src is None:
        raise EmberValueError("scatter: expected either src or value")
    axis = normalize_axis("scatter", dim, x.ndim)
    if reduce is not None:
        names = {"add": "sum", "multiply": "prod"}
        if reduce not in names:
            raise EmberValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if not isinstance(src, Tensor):
            src = broadcast_to(cast(_tensor(src), x.dtype), _tensor(index).shape)
        return scatter_reduce(x, dim, index, src, names[reduce])
    coordinates, index = _scatter_coordinates("scatter", x, axis, index)
    values = _source("scatter", src, index, x)
    return index_put_value(x, coordinates, values)


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True) -> Tensor:
    """``input`` with ``src`` reduced in at ``index`` along ``dim``: ``'sum'``, ``'prod'``, ``'mean'``,
    ``'amax'`` or ``'amin'``; ``include_self=False`` leaves ``input``'s own value out where anything lands.

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 1.0])
        >>> ember.scatter_reduce(x, 0, ember.tensor([0, 0, 1]), ember.tensor([3.0, 5.0, -2.0]), "amax").tolist()
        [5.0, 1.0]
    """
    x = _tensor(input)
    axis = normalize_axis("scatter_reduce", dim, x.ndim)
    index = _scatter_index("scatter_reduce", x, axis, index)  # an operand, not coordinates: vmap batches it
    src = _source("scatter_reduce", src, index, x)
    if not isinstance(src, Tensor):
        raise DTypeError("scatter_reduce: src must be a tensor")
    if reduce in ("sum", "mean"):
        landed = scatter_add_zeros(_ones(src), index, axis, x.shape) > 0
        base = x if include_self else where(landed, 0, x)
        total = base + scatter_add_zeros(src, index, axis, x.shape)
        if reduce == "sum":
            return total
        counts = scatter_add_zeros(_ones(src), index, axis, x.shape) + (1 if include_self else 0)
        if x._data.dtype.kind in "iu":
            return where(counts > 0, total // where(counts > 0, counts, 1), total)
        return where(counts > 0, total / where(counts > 0, counts, 1), total)
    if reduce not in ("prod", "amax", "amin"):
        raise EmberValueError(f"scatter_reduce: reduce must be one of 'sum', 'prod', 'mean', 'amax', "
                              f"'amin', got {reduce!r}")
    return bind(P.ScatterReduce, (x, src, index), (axis, reduce, bool(include_self)))


def _ones(like) -> Tensor:
    from .creation import ones_like
    return ones_like(like)


def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:
    """``input`` plus ``alpha * source`` added at the 1-D ``index`` along ``dim`` (repeats accumulate).

    Example:
        >>> import ember
        >>> ember.index_add(ember.zeros(3), 0, ember.tensor([0, 0, 2]), ember.ones(3)).tolist()
        [2.0, 0.0, 1.0]
    """
    x = _tensor(input)
    axis = normalize_axis("index_add", dim, x.ndim)
    source = _index_source("index_add", x, axis, index, source)
    vector = _index_vector("index_add", index, x.shape[axis] if x.ndim else 1, axis, x.shape)
    if alpha != 1:
        source = source * alpha
    return x + index_add_zeros(source, x.shape, _along_axis(x, axis, vector))


def _index_source(op, x, axis, index, source):
    source = _tensor(source)
    count = _tensor(index).reshape(-1).shape[0]
    expected = x.shape[:axis] + (count,) + x.shape[axis + 1:] if x.ndim else (count,) if count != 1 else ()
    if tuple(source.shape) != tuple(expected) and not (x.ndim == 0 and source.numel() == 1):
        raise ShapeError(f"{op}: source of shape {source.shape} must have shape {expected} (input {x.shape}, "
                         f"{count} indices along dimension {axis})")
    return cast(source, x.dtype) if source._data.dtype != x._data.dtype else source


def index_copy(input, dim: int, index, source) -> Tensor:
    """A copy of ``input`` with the slices at the 1-D ``index`` along ``dim`` replaced by ``source``.

    Example:
        >>> import ember
        >>> ember.index_copy(ember.zeros(3), 0, ember.tensor([2]), ember.tensor([9.0])).tolist()
        [0.0, 0.0, 9.0]
    """
    x = _tensor(input)
    axis = normalize_axis("index_copy", dim, x.ndim)
    source = _index_source("index_copy", x, axis, index, source)
    vector = _index_vector("index_copy", index, x.shape[axis] if x.ndim else 1, axis, x.shape)
    return index_put_value(x, _along_axis(x, axis, vector), source)


def index_fill(input, dim: int, index, value) -> Tensor:
    """A copy of ``input`` with the slices at the 1-D ``index`` along ``dim`` set to ``value``.

    Example:
        >>> import ember
        >>> ember.index_fill(ember.zeros(2, 2), 1, ember.tensor([0]), 5.0).tolist()
        [[5.0, 0.0], [5.0, 0.0]]
    """
    x = _tensor(input)
    axis = normalize_axis("index_fill", dim, x.ndim)
    vector = _index_vector("index_fill", index, x.shape[axis] if x.ndim else 1, axis, x.shape)
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"index_fill: value must be a 0-D tensor, got shape {value.shape}")
        value = cast(value, x.dtype)
    return index_put_value(x, _along_axis(x, axis, vector), value)


def masked_scatter(input, mask, source) -> Tensor:
    """A copy of ``input`` with the positions where ``mask`` is true filled, in order, from ``source``.

    Example:
        >>> import ember
        >>> m = ember.tensor([True, False, True])
        >>> ember.masked_scatter(ember.zeros(3), m, ember.tensor([1.0, 2.0])).tolist()
        [1.0, 0.0, 2.0]
    """
    x = _tensor(input)
    mask = broadcast_to(_mask("masked_scatter", mask), x.shape)
    source = _tensor(source)
    coordinates = tuple(mask._data.nonzero()) if x.ndim else None
    count = int(mask._data.sum())
    if source.numel() < count:
        raise ShapeError(f"masked_scatter: the mask (shape {x.shape}) selects {count} positions but source "
                         f"(shape {source.shape}) has only {source.numel()} elements")
    values = flatten(source)[:count]
    values = cast(values, x.dtype) if values._data.dtype != x._data.dtype else values
    if x.ndim == 0:
        return where(mask, values.reshape(()), x) if count else x
    return index_put_value(x, coordinates, values)
