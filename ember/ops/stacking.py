"""NumPy-style stacking and splitting (``hstack``, ``vstack``, ``tensor_split`` ...), ``atleast_*d``,
``ravel``, ``diagflat``, ``repeat_interleave``, ``combinations`` and ``unravel_index``.

Each is a composite of ``cat``, ``reshape``, slicing or ``index_select``, so gradients come from
those primitives. PyTorch's argument rules and error messages are kept.

Example:
    >>> import ember
    >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])]).tolist()
    [1, 2, 3]
    >>> [p.tolist() for p in ember.tensor_split(ember.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy

from ..errors import EmberValueError, ShapeError
from ..primitives.rules import normalize_axis
from ..tensor import Tensor
from ._operands import _tensor


def _tensors(op: str, tensors) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of tensors, "
                        f"not {type(tensors).__name__}")
    if not tensors:
        raise EmberValueError(f"{op}(): expects a non-empty TensorList")
    return [_tensor(t) for t in tensors]


def _at_least(op: str, tensors: tuple, rank: int, reshape):
    """One tensor in, one out; several (or one list) in, a tuple out, as PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        x = tensors[0]
        return x if x.ndim >= rank else reshape(x)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(_at_least(op, (_tensor(t),), rank, reshape) for t in tensors)


def atleast_1d(*tensors):
    """The tensor viewed with at least one dimension (0-d becomes shape ``(1,)``).

    Example:
        >>> import ember
        >>> ember.atleast_1d(ember.tensor(3.0)).shape
        (1,)
    """
    return _at_least("atleast_1d", tensors, 1, lambda x: x.reshape(1))


def atleast_2d(*tensors):
    """The tensor viewed with at least two dimensions: 0-d becomes ``(1, 1)``, ``(n,)`` ``(1, n)``.

    Example:
        >>> import ember
        >>> ember.atleast_2d(ember.ones(3)).shape
        (1, 3)
    """
    return _at_least("atleast_2d", tensors, 2, lambda x: x.reshape(1, -1) if x.ndim == 1 else x.reshape(1, 1))


def atleast_3d(*tensors):
    """At least three dimensions: ``()`` to ``(1, 1, 1)``, ``(n,)`` to ``(1, n, 1)``, ``(m, n)`` to ``(m, n, 1)``.

    Example:
        >>> import ember
        >>> ember.atleast_3d(ember.ones(2, 3)).shape
        (2, 3, 1)
    """
    def reshape(x):
        if x.ndim == 0:
            return x.reshape(1, 1, 1)
        return x.reshape(1, -1, 1) if x.ndim == 1 else x.unsqueeze(-1)
    return _at_least("atleast_3d", tensors, 3, reshape)


def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate column-wise: along dim 1, or dim 0 when every tensor is 1-D (or 0-d).

    Example:
        >>> import ember
        >>> ember.hstack([ember.ones(2, 1), ember.zeros(2, 2)]).shape
        (2, 3)
    """
    from .shape import cat
    parts = [atleast_1d(t) for t in _tensors("hstack", tensors)]
    return cat(parts, 0 if parts[0].ndim == 1 else 1)


def vstack(tensors, *, out=None) -> Tensor:
    """Concatenate row-wise (dim 0) after :func:`atleast_2d`.

    Example:
        >>> import ember
        >>> ember.vstack([ember.ones(3), ember.zeros(3)]).shape
        (2, 3)
    """
    from .shape import cat
    return cat([atleast_2d(t) for t in _tensors("vstack", tensors)], 0)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate depth-wise (dim 2) after :func:`atleast_3d`.

    Example:
        >>> import ember
        >>> ember.dstack([ember.ones(2, 3), ember.zeros(2, 3)]).shape
        (2, 3, 2)
    """
    from .shape import cat
    return cat([atleast_3d(t) for t in _tensors("dstack", tensors)], 2)


def column_stack(tensors, *, out=None) -> Tensor:
    """Stack as columns: 0-d and 1-D tensors become ``(n, 1)`` columns, then concatenate along dim 1.

    Example:
        >>> import ember
        >>> ember.column_stack([ember.ones(3), ember.zeros(3, 2)]).shape
        (3, 3)
    """
    from .shape import cat
    parts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensors("column_stack", tensors)]
    return cat(parts, 1)


def _slice(x: Tensor, axis: int, start: int, stop: int) -> Tensor:
    return x[(slice(None),) * axis + (slice(start, stop),)]


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """Split into ``n`` nearly equal pieces (the first ``size % n`` one longer), or at the given indices.

    Example:
        >>> import ember
        >>> [p.shape for p in ember.tensor_split(ember.ones(7, 2), [2, 5])]
        [(2, 2), (3, 2), (2, 2)]
    """
    x = _tensor(input)
    if x.ndim == 0:
        raise ShapeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    axis = normalize_axis("tensor_split", dim, x.ndim)
    length = x.shape[axis]
    sections = indices_or_sections
    if isinstance(sections, Tensor):
        sections = sections.tolist()
    if isinstance(sections, int):
        if sections <= 0:
            raise EmberValueError(f"tensor_split: number of sections must be larger than 0, got {sections}")
        small, extra = divmod(length, sections)
        bounds = list(itertools.accumulate([small + 1] * extra + [small] * (sections - extra), initial=0))
    else:
        bounds = [0, *(int(i) for i in sections), length]
    starts = [min(max(b, 0), length) for b in bounds[:-1]]
    stops = [min(max(b, 0), length) for b in bounds[1:]]
    return tuple(_slice(x, axis, start, max(start, stop)) for start, stop in zip(starts, stops))


def _split_evenly(op: str, x: Tensor, sections, axis: int) -> tuple:
    if isinstance(sections, int) and (sections == 0 or x.shape[axis] % sections):
        raise EmberValueError(f"{op} attempted to split along dimension {axis}, but the size of the dimension "
                              f"{x.shape[axis]} is not divisible by the split_size {sections}!")
    return tensor_split(x, sections, axis)


def hsplit(input, indices_or_sections) -> tuple:
    """Split along dim 1 (dim 0 for a 1-D tensor); an int must divide that size evenly.

    Example:
        >>> import ember
        >>> [p.shape for p in ember.hsplit(ember.ones(2, 4), 2)]
        [(2, 2), (2, 2)]
    """
    x = _tensor(input)
    if x.ndim == 0:
        raise ShapeError("torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!")
    return _split_evenly("torch.hsplit", x, indices_or_sections, 1 if x.ndim > 1 else 0)


def vsplit(input, indices_or_sections) -> tuple:
    """Split along dim 0 of a tensor with at least 2 dimensions.

    Example:
        >>> import ember
        >>> len(ember.vsplit(ember.ones(4, 2), [1]))
        2
    """
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with "
                         f"{x.ndim} dimensions!")
    return _split_evenly("torch.vsplit", x, indices_or_sections, 0)


def dsplit(input, indices_or_sections) -> tuple:
    """Split along dim 2 of a tensor with at least 3 dimensions.

    Example:
        >>> import ember
        >>> [p.shape for p in ember.dsplit(ember.ones(1, 1, 4), 2)]
        [(1, 1, 2), (1, 1, 2)]
    """
    x = _tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with "
                         f"{x.ndim} dimensions!")
    return _split_evenly("torch.dsplit", x, indices_or_sections, 2)


def split_with_sizes(input, split_sizes, dim: int = 0) -> tuple:
    """Split into pieces of the listed sizes, which must add up to the size of ``dim``.

    Example:
        >>> import ember
        >>> [p.shape for p in ember.split_with_sizes(ember.ones(5), [2, 3])]
        [(2,), (3,)]
    """
    from .shape import split
    x = _tensor(input)
    axis = normalize_axis("split_with_sizes", dim, x.ndim)
    sizes = list(split_sizes)
    if sum(sizes) != x.shape[axis]:
        raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to {x.shape[axis]} (input tensor's "
                         f"size at dimension {dim}), but got split_sizes={sizes}")
    return tuple(split(x, sizes, axis))


def ravel(input) -> Tensor:
    """The tensor flattened to one dimension (a view when possible).

    Example:
        >>> import ember
        >>> ember.ravel(ember.ones(2, 3)).shape
        (6,)
    """
    return _tensor(input).reshape(-1)


def diagflat(input, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened input on diagonal ``offset``.

    Example:
        >>> import ember
        >>> ember.diagflat(ember.tensor([[1, 2]])).tolist()
        [[1, 0], [0, 2]]
    """
    from .rearrange import diag
    return diag(_tensor(input).reshape(-1), offset)


def repeat_interleave(input, repeats=None, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element along ``dim``);
    without ``dim`` the input is flattened. ``repeat_interleave(counts)`` alone gives the indices.

    Example:
        >>> import ember
        >>> ember.repeat_interleave(ember.tensor([1, 2]), 2).tolist()
        [1, 1, 2, 2]
        >>> ember.repeat_interleave(ember.tensor([2, 1])).tolist()
        [0, 0, 1]
    """
    from .creation import arange
    from .selection import index_select
    if repeats is None:
        counts = _tensor(input)
        return repeat_interleave(arange(counts.shape[0], device=counts.device), counts)
    x = _tensor(input)
    if dim is None:
        x, axis = x.reshape(-1), 0
    else:
        axis = normalize_axis("repeat_interleave", dim, x.ndim)
    counts = numpy.asarray(repeats.tolist() if isinstance(repeats, Tensor) else repeats, dtype=numpy.int64)
    if counts.ndim > 1 or (counts.ndim == 1 and counts.shape[0] not in (1, x.shape[axis])):
        raise ShapeError(f"repeat_interleave: repeats must have the same size as input along dim {axis} "
                         f"({x.shape[axis]}), but got repeats of shape {counts.shape}")
    if (counts < 0).any():
        raise EmberValueError("repeat_interleave: repeats can not be negative")
    positions = numpy.repeat(numpy.arange(x.shape[axis]), counts)
    if output_size is not None and output_size != positions.shape[0]:
        raise EmberValueError(f"repeat_interleave: output_size={output_size} but the repeats give "
                              f"{positions.shape[0]} elements")
    from .creation import tensor
    return index_select(x, axis, tensor(positions, device=x.device))


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a 1-D tensor's elements, one per row (``itertools`` order).

    Example:
        >>> import ember
        >>> ember.combinations(ember.tensor([1, 2, 3])).tolist()
        [[1, 2], [1, 3], [2, 3]]
    """
    from .creation import tensor
    from .selection import index_select
    x = _tensor(input)
    if x.ndim != 1:
        raise ShapeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise EmberValueError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return x.new_empty(0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = numpy.array(list(pick(range(x.shape[0]), r)), dtype=numpy.int64).reshape(-1, r)
    return index_select(x, 0, tensor(rows.reshape(-1), device=x.device)).reshape(rows.shape[0], r)


def unravel_index(indices, shape) -> tuple:
    """The coordinates (one int64 tensor per dimension) of flat indices into ``shape``.

    Example:
        >>> import ember
        >>> [c.tolist() for c in ember.unravel_index(ember.tensor([5, 1]), (2, 3))]
        [[1, 0], [2, 1]]
    """
    from .creation import tensor
    flat = _tensor(indices)
    if flat.dtype.is_floating_point or flat.dtype.is_complex or flat.dtype.name == "bool":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {flat.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise EmberValueError("'shape' cannot have negative values, but got " + str(shape))
    values = flat.numpy().astype(numpy.int64)
    total = int(numpy.prod(shape))
    if ((values < -total) | (values >= total)).any():
        raise IndexError(f"index out of bounds: 'indices' must be in [-{total}, {total - 1}] for shape {shape}")
    coordinates = numpy.unravel_index(values % max(total, 1), shape) if shape else ()
    return tuple(tensor(c.astype(numpy.int64), device=flat.device) for c in coordinates)
