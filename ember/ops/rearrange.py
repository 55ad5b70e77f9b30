"""Rearranging tensors: ``movedim``, ``roll``, ``diff``, ``rot90``, ``meshgrid``,
``cartesian_prod``, ``block_diag``, ``kron``, ``vander``, ``tril_indices``/``triu_indices``.

All are compositions of existing primitives (slicing, ``cat``, ``flip``,
``permute``, ``broadcast_to``, ``mul``), so their gradients come for free.
"""
from __future__ import annotations

import warnings

from ..errors import EmberValueError, ShapeError
from ..primitives.rules import normalize_axis
from ..tensor import Tensor
from ._operands import _promote, _tensor, cast
from .creation import arange, tensor as tensor_, zeros
from .elementwise import pow, sub
from .indexing import getitem_index
from .shape import broadcast_to, cat, flatten, flip, pad, permute, reshape, stack, transpose, unsqueeze


def _slice(x, axis, start, stop):
    return getitem_index(x, (slice(None),) * axis + (slice(start, stop),))


def movedim(input, source, destination) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination``, keeping the others' order.

    Example:
        >>> import ember
        >>> ember.movedim(ember.zeros(2, 3, 4), 0, -1).shape
        (3, 4, 2)
    """
    x = _tensor(input)
    sources = [source] if isinstance(source, int) else list(source)
    destinations = [destination] if isinstance(destination, int) else list(destination)
    if len(sources) != len(destinations):
        raise ShapeError(f"movedim: source {source} and destination {destination} must have the same length")
    sources = [normalize_axis("movedim", s, x.ndim) for s in sources]
    destinations = [normalize_axis("movedim", d, x.ndim) for d in destinations]
    if len(set(sources)) != len(sources) or len(set(destinations)) != len(destinations):
        raise ShapeError(f"movedim: repeated dimension in source {source} or destination {destination}")
    if x.ndim == 0:
        return x
    order = [axis for axis in range(x.ndim) if axis not in sources]
    for destination_axis, source_axis in sorted(zip(destinations, sources)):
        order.insert(destination_axis, source_axis)
    return permute(x, tuple(order))


moveaxis = movedim


def roll(input, shifts, dims=None) -> Tensor:
    """Shift elements cyclically along ``dims`` (over the flattened tensor when ``dims`` is None).

    Example:
        >>> import ember
        >>> ember.roll(ember.tensor([1, 2, 3, 4]), 1).tolist()
        [4, 1, 2, 3]
    """
    x = _tensor(input)
    if dims is None:
        if not isinstance(shifts, int):
            if len(shifts) != 1:
                raise ShapeError(f"roll: shifts {shifts} need matching dims when dims is None")
            shifts = shifts[0]
        return reshape(roll(flatten(x), shifts, 0), x.shape)
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    dims = [dims] if isinstance(dims, int) else list(dims)
    if len(shifts) != len(dims):
        raise ShapeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    for shift, dim in zip(shifts, dims):
        axis = normalize_axis("roll", dim, x.ndim)
        size = x.shape[axis] if x.ndim else 1
        if x.ndim == 0 or size == 0 or shift % size == 0:
            continue
        cut = size - shift % size
        x = cat([_slice(x, axis, cut, None), _slice(x, axis, 0, cut)], axis)
    return x


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``, after joining ``prepend``/``append``.

    Example:
        >>> import ember
        >>> ember.diff(ember.tensor([1, 4, 9, 16])).tolist()
        [3, 5, 7]
    """
    x = _tensor(input)
    if x.ndim == 0:
        raise ShapeError("diff: expected a tensor with at least one dimension, got a 0-d tensor")
    axis = normalize_axis("diff", dim, x.ndim)
    if n == 0:  # PyTorch returns the input itself, without prepend/append
        return x
    parts = [_tensor(p) for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        parts = list(_promote(*parts)[0])
        x = cat(parts, axis)
    for _ in range(n):
        if x.shape[axis] == 0:
            break
        later, earlier = _slice(x, axis, 1, None), _slice(x, axis, 0, -1)
        x = (later != earlier) if x._data.dtype.kind == "b" else sub(later, earlier)
    return x


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the second).

    Example:
        >>> import ember
        >>> ember.rot90(ember.tensor([[1, 2], [3, 4]])).tolist()
        [[2, 4], [1, 3]]
    """
    x = _tensor(input)
    if len(dims) != 2 or x.ndim < 2:
        raise ShapeError(f"rot90: needs two dims of a tensor with at least 2 dimensions, got dims {dims} "
                         f"for shape {x.shape}")
    first, second = (normalize_axis("rot90", d, x.ndim) for d in dims)
    if first == second:
        raise ShapeError(f"rot90: the two dims must differ, got {dims}")
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, (first, second))
    if k == 1:
        return transpose(flip(x, (second,)), first, second)
    return flip(transpose(x, first, second), (second,))


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors; ``indexing`` is ``'ij'`` (default, as PyTorch) or ``'xy'``.

    Example:
        >>> import ember
        >>> [g.shape for g in ember.meshgrid(ember.arange(2), ember.arange(3), indexing="ij")]
        [(2, 3), (2, 3)]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = [_tensor(t) for t in tensors]
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise EmberValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0-D or 1-D tensors, got shape {t.shape}")
    tensors = [reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t.shape[0] for t in tensors)
    grids = [broadcast_to(reshape(t, (1,) * i + (-1,) + (1,) * (len(tensors) - i - 1)), shape)
             for i, t in enumerate(tensors)]
    if swap:  # 'xy': the grids of the swapped inputs, handed back in the callers' order
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, one per row.

    Example:
        >>> import ember
        >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4])).tolist()
        [[1, 3], [1, 4], [2, 3], [2, 4]]
    """
    tensors = [_tensor(t) for t in tensors]
    if len(tensors) == 1:
        return tensors[0]
    tensors = list(_promote(*tensors)[0])
    grids = meshgrid(*tensors, indexing="ij")
    return stack([flatten(g) for g in grids], 1)


def block_diag(*tensors) -> Tensor:
    """Tensors (0-D, 1-D as a row, or 2-D) placed along the diagonal of a zero matrix.

    Example:
        >>> import ember
        >>> ember.block_diag(ember.ones(1, 1), ember.ones(1, 2)).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]
    """
    if not tensors:
        return zeros(1, 0)
    blocks = list(_promote(*[_tensor(t) for t in tensors])[0])
    matrices = []
    for block in blocks:
        if block.ndim > 2:
            raise ShapeError(f"block_diag: input tensors must have 2 or fewer dimensions, got shape {block.shape}")
        matrices.append(reshape(block, (1, -1) if block.ndim == 1 else (1, 1)) if block.ndim < 2 else block)
    width = sum(m.shape[1] for m in matrices)
    rows, left = [], 0
    for m in matrices:
        rows.append(pad(m, (left, width - left - m.shape[1])))
        left += m.shape[1]
    return cat(rows, 0)


def kron(input, other) -> Tensor:
    """The Kronecker product (shapes multiply; the lower-rank operand gets leading 1s).

    Example:
        >>> import ember
        >>> ember.kron(ember.tensor([1, 2]), ember.tensor([1, 10])).tolist()
        [1, 10, 2, 20]
    """
    (a, b), _ = _promote(_tensor(input), _tensor(other))
    ndim = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    b = reshape(b, (1,) * (ndim - b.ndim) + b.shape)
    # interleave: a's axes at even positions, b's at odd, then merge each pair
    a_spread = reshape(a, tuple(s for size in a.shape for s in (size, 1)))
    b_spread = reshape(b, tuple(s for size in b.shape for s in (1, size)))
    return reshape(a_spread * b_spread, tuple(x * y for x, y in zip(a.shape, b.shape)))


def vander(x, N=None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D tensor: columns are powers ``x**(N-1) ... x**0``.

    Example:
        >>> import ember
        >>> ember.vander(ember.tensor([1, 2, 3]), N=3).tolist()
        [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    """
    x = _tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"vander: x must be a 1-D tensor, got shape {x.shape}")
    columns = x.shape[0] if N is None else N
    if columns < 0:
        raise EmberValueError(f"vander: N must be non-negative, got {N}")
    if x._data.dtype.kind in "biu":
        x = cast(x, "int64")
    powers = arange(columns, dtype="int64", device=x.device)
    if not increasing:
        powers = flip(powers, (0,))
    if columns == 0:
        return reshape(x, (-1, 1))[:, :0]
    result = pow(unsqueeze(x, 1), powers)
    return result


def _triangle_indices(op, row, col, offset, lower):
    if row < 0 or col < 0:
        raise EmberValueError(f"{op}: row and col must be non-negative, got {row} and {col}")
    from .selection import nonzero
    gap = reshape(arange(col, dtype="int64"), (1, -1)) - reshape(arange(row, dtype="int64"), (-1, 1))
    inside = (gap <= offset) if lower else (gap >= offset)
    return transpose(nonzero(inside), 0, 1).contiguous()  # row-major order, as PyTorch lists them


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """Coordinates (a 2 x N tensor) of the lower triangle of a ``row`` x ``col`` matrix.

    Example:
        >>> import ember
        >>> ember.tril_indices(2, 2).tolist()
        [[0, 1, 1], [0, 0, 1]]
    """
    result = _triangle_indices("tril_indices", row, col, offset, True)
    return result if dtype is None else cast(result, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """Coordinates (a 2 x N tensor) of the upper triangle of a ``row`` x ``col`` matrix."""
    result = _triangle_indices("triu_indices", row, col, offset, False)
    return result if dtype is None else cast(result, dtype)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal (``offset`` above the main one if positive) of the planes ``dim1``, ``dim2``, as the last dim.

    Example:
        >>> import ember
        >>> ember.diagonal(ember.tensor([[1, 2], [3, 4]])).tolist()
        [1, 4]
    """
    x = _tensor(input)
    first, second = normalize_axis("diagonal", dim1, x.ndim), normalize_axis("diagonal", dim2, x.ndim)
    if first == second:
        raise ShapeError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2} (shape {x.shape})")
    x = movedim(x, (first, second), (-2, -1))
    rows, cols = x.shape[-2:]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(0, min(rows - start_row, cols - start_col))
    positions = arange(length, dtype="int64", device=x.device)._data
    return getitem_index(x, (Ellipsis, positions + start_row, positions + start_col))


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Vectors in the last dimension placed on the diagonal of new (square) matrices.

    Example:
        >>> import ember
        >>> ember.diag_embed(ember.tensor([1, 2])).tolist()
        [[1, 0], [0, 2]]
    """
    from .indexing import index_put_value
    x = _tensor(input)
    n = x.shape[-1] + abs(offset)
    out = zeros(x.shape[:-1] + (n, n), dtype=x.dtype, device=x.device)
    positions = arange(x.shape[-1], dtype="int64", device=x.device)._data
    index = (Ellipsis, positions + max(-offset, 0), positions + max(offset, 0))
    result = index_put_value(out, index, x)
    ndim = result.ndim
    return movedim(result, (-2, -1), (dim1 % ndim, dim2 % ndim)) if (dim1, dim2) != (-2, -1) else result


def diag(input, diagonal: int = 0) -> Tensor:
    """A vector's diagonal matrix, or a matrix's diagonal (``diagonal`` picks the one above or below).

    Example:
        >>> import ember
        >>> ember.diag(ember.tensor([1, 2])).tolist()
        [[1, 0], [0, 2]]
    """
    x = _tensor(input)
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:
        return globals()["diagonal"](x, diagonal)
    raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")


def fliplr(input) -> Tensor:
    """Reverse the second dimension."""
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"fliplr: expected at least 2 dimensions, got shape {x.shape}")
    return flip(x, (1,))


def flipud(input) -> Tensor:
    """Reverse the first dimension."""
    x = _tensor(input)
    if x.ndim < 1:
        raise ShapeError("flipud: expected at least 1 dimension, got a 0-d tensor")
    return flip(x, (0,))


def narrow(input, dim: int, start: int, length: int) -> Tensor:
    """``length`` entries of ``dim`` from ``start`` (a view, as in PyTorch)."""
    x = _tensor(input)
    axis = normalize_axis("narrow", dim, x.ndim)
    size = x.shape[axis]
    start = start + size if start < 0 else start
    if not (0 <= start <= size and 0 <= length and start + length <= size):
        raise ShapeError(f"narrow: start {start} and length {length} exceed dimension {dim} of size {size} "
                         f"(shape {x.shape})")
    return _slice(x, axis, start, start + length)


def select(input, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of ``dim`` (that dimension removed)."""
    x = _tensor(input)
    axis = normalize_axis("select", dim, x.ndim)
    size = x.shape[axis]
    if not -size <= index < size:
        raise ShapeError(f"select: index {index} is out of range for dimension {dim} of size {size}")
    return getitem_index(x, (slice(None),) * axis + (index % size, Ellipsis))


def take(input, index) -> Tensor:
    """Entries of the flattened ``input`` at ``index`` (the result has ``index``'s shape)."""
    x = _tensor(input)
    index = _tensor(index)
    size = x.numel()
    data = index._data
    if data.size and (data.min() < -size or data.max() >= size):
        raise ShapeError(f"take: index out of range for a tensor of {size} elements (shape {x.shape})")
    return getitem_index(flatten(x), (data % max(size, 1),))
