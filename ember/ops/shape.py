"""Shape ops: reshape/view, squeeze, permute/transpose, broadcasting, cat/stack/split, pad, flip,
repeat, gather/scatter along a dimension, ``masked_fill`` and ``tril``/``triu``."""
from __future__ import annotations

import builtins
import math

from .. import backend
from ..errors import DTypeError, EmberIndexError, EmberValueError, ShapeError
from ..tensor import Tensor
from ..primitives import reduce as R
from ..primitives import shape as S
from ._operands import _axes, _promote, _tensor, cast, full_scalar
from ._sizes import size_tuple, size_value
from .elementwise import clone, where
from .indexing import getitem_index
from ..primitives.core import bind, dispatch
from ..primitives.rules import normalize_axis


def _shape_tuple(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return size_tuple(shape)


def _resolve_shape(op, shape, size):
    """Fill in a single -1 in ``shape`` so the sizes multiply to ``size``."""
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise ShapeError(f"{op}: only one dimension can be inferred (-1), got shape {tuple(shape)}")
    if unknown:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise ShapeError(f"{op}: shape {tuple(shape)} is invalid for input of size {size}")
        shape[unknown[0]] = size // known
    if math.prod(shape) != size or builtins.any(s < 0 for s in shape):
        raise ShapeError(f"{op}: shape {tuple(shape)} is invalid for input of size {size}")
    return tuple(shape)


def reshape(input, *shape) -> Tensor:
    """The same data with a new shape (one dimension may be -1)."""
    x = _tensor(input)
    shape = _resolve_shape("reshape", _shape_tuple(shape), x._data.size)
    if shape == x.shape:
        return x
    return bind(S.Reshape, (x,), (shape,))


def view(input, *shape) -> Tensor:
    """Like :func:`reshape`, but only when no copy is needed, as PyTorch's ``view``.

    A view shares memory with ``input``, so writes through one are seen in the
    other; when the strides do not allow that (e.g. after a transpose), this
    raises instead of silently copying. Use :func:`reshape` there.

    Example:
        >>> import ember
        >>> ember.arange(6).view(2, 3).shape
        (2, 3)
    """
    if len(shape) == 1 and isinstance(shape[0], backend.DType):  # view(dtype): the same bytes as dtype
        from .bitwise import bitcast
        return bitcast(input, shape[0])
    x = _tensor(input)
    target = _resolve_shape("view", _shape_tuple(shape), x._data.size)
    if dispatch.tracer is None and not _reshapes_in_place(x._data, target):
        raise ShapeError(f"view: view size {target} is not compatible with the input's shape "
                         f"{x.shape} and strides (at least one dimension spans two contiguous "
                         "subspaces); use .reshape(...) instead")
    return reshape(x, target)


def _reshapes_in_place(array, shape) -> bool:
    probe = array.view()
    try:
        probe.shape = shape  # NumPy refuses to set a shape that would need a copy
    except AttributeError:
        return False
    return True


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one."""
    x = _tensor(input)
    if x.ndim == 0:
        return reshape(x, (1,))
    start = normalize_axis("flatten", start_dim, x.ndim)
    end = normalize_axis("flatten", end_dim, x.ndim)
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return reshape(x, shape)


def unflatten(input, dim: int, sizes) -> Tensor:
    x = _tensor(input)
    axis = normalize_axis("unflatten", dim, x.ndim)
    sizes = _resolve_shape("unflatten", size_tuple(sizes), x.shape[axis])
    return reshape(x, x.shape[:axis] + sizes + x.shape[axis + 1:])


def squeeze(input, dim=None) -> Tensor:
    """Remove size-1 dimensions (all, or those in ``dim`` that have size 1)."""
    x = _tensor(input)
    if dim is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    else:
        axes = [a for a in (_axes("squeeze", dim, x.ndim) or ()) if x.shape[a] == 1]
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


def unsqueeze(input, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim``."""
    x = _tensor(input)
    axis = normalize_axis("unsqueeze", dim, x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def permute(input, *dims) -> Tensor:
    """Reorder dimensions: ``permute(x, (2, 0, 1))``."""
    x = _tensor(input)
    dims = _shape_tuple(dims)
    if len(dims) != x.ndim:
        raise ShapeError(f"permute: number of dims {len(dims)} doesn't match the tensor's {x.ndim} "
                         f"(shape {x.shape})")
    axes = tuple(normalize_axis("permute", d, x.ndim) for d in dims)
    if axes == tuple(range(x.ndim)):
        return x
    return bind(S.Permute, (x,), (axes,))


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    x = _tensor(input)
    axes = list(range(x.ndim))
    a, b = normalize_axis("transpose", dim0, x.ndim), normalize_axis("transpose", dim1, x.ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, axes)


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    """Transpose a matrix (vectors and scalars are returned as they are)."""
    x = _tensor(input)
    if x.ndim > 2:
        raise ShapeError(f"t(): expects a tensor with <= 2 dimensions, got shape {x.shape}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def swap_last(input) -> Tensor:
    """Swap the last two dimensions (``mT``)."""
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"mT: expects a tensor with >= 2 dimensions, got shape {x.shape}")
    return transpose(x, -2, -1)


def broadcast_to(input, shape) -> Tensor:
    """A read-only view of ``input`` broadcast to ``shape``."""
    x = _tensor(input)
    shape = size_tuple(shape)
    if shape == x.shape:
        return x
    return bind(S.BroadcastTo, (x,), (shape,))


def expand(input, *sizes) -> Tensor:
    """Broadcast to ``sizes``; -1 keeps a dimension's size."""
    x = _tensor(input)
    sizes = _shape_tuple(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the number of sizes ({len(sizes)}) must be at least the number "
                         f"of dimensions ({x.ndim}) of shape {x.shape}")
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def broadcast_tensors(*tensors):
    from ..primitives.rules import broadcast_shapes
    tensors = [_tensor(t_) for t_ in tensors]
    shape = broadcast_shapes("broadcast_tensors", *(t_.shape for t_ in tensors))
    return tuple(broadcast_to(t_, shape) for t_ in tensors)


def sum_to(input, shape) -> Tensor:
    """Sum ``input`` down to ``shape`` (the adjoint of broadcasting)."""
    x = _tensor(input)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and x.shape[lead + i] != 1)
    return reshape(bind(R.Sum, (x,), (axes, True)), shape)


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate along an existing dimension (dtypes promoted as in PyTorch)."""
    tensors = [_tensor(t_) for t_ in tensors]
    if not tensors:
        raise EmberValueError("cat: expected a non-empty sequence of tensors")
    tensors = list(_promote(*tensors)[0])
    ranks = {t_.ndim for t_ in tensors}
    if len(ranks) > 1:
        raise ShapeError("cat: tensors must have the same number of dimensions, got shapes "
                         + ", ".join(str(t_.shape) for t_ in tensors))
    axis = normalize_axis("cat", dim, tensors[0].ndim)
    if len(tensors) == 1:
        return tensors[0]
    return bind(S.Concatenate, tuple(tensors), (axis,))


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    tensors = [_tensor(t_) for t_ in tensors]
    if not tensors:
        raise EmberValueError("stack: expected a non-empty sequence of tensors")
    shapes = {t_.shape for t_ in tensors}
    if len(shapes) > 1:
        raise ShapeError("stack: expects each tensor to be equal size, got shapes "
                         + ", ".join(str(t_.shape) for t_ in tensors))
    axis = normalize_axis("stack", dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t_, axis) for t_ in tensors], axis)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Split into pieces of a given size (the last may be smaller) or of listed sizes."""
    x = _tensor(tensor)
    axis = normalize_axis("split", dim, x.ndim)
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = size_value(split_size_or_sections)
        if step <= 0:
            raise EmberValueError(f"split: split_size must be positive, got {step}")
        # how many pieces there are is a plain number: int() of a symbolic length says so
        sizes = [builtins.min(step, length - s) for s in range(0, int(length), step)] or [0]
    else:
        sizes = list(size_tuple(split_size_or_sections))
        if builtins.sum(sizes) != length:
            raise ShapeError(f"split: sections {sizes} do not add up to dimension {dim}'s size {length}")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(getitem_index(x, (slice(None),) * axis + (slice(start, start + size),)))
        start += size
    return tuple(pieces)


def chunk(input, chunks: int, dim: int = 0):
    """Split into ``chunks`` pieces of (nearly) equal size."""
    x = _tensor(input)
    length = x.shape[normalize_axis("chunk", dim, x.ndim)]
    if length == 0:  # PyTorch returns ``chunks`` empty pieces
        return split(x, [0] * chunks, dim)
    return split(x, -(-length // chunks), dim)


def unbind(input, dim: int = 0):
    x = _tensor(input)
    axis = normalize_axis("unbind", dim, x.ndim)
    return tuple(getitem_index(x, (slice(None),) * axis + (i,)) for i in range(int(x.shape[axis])))


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last dimensions: ``pad=(left, right, top, bottom, ...)`` as in ``torch.nn.functional.pad``.

    ``mode`` is ``'constant'`` (with ``value``), ``'reflect'``, ``'replicate'``
    or ``'circular'``; negative widths crop. The other modes gather from the
    input, so their gradient adds up at the source positions, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.pad(ember.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    x = _tensor(input)
    if mode not in _PAD_MODES:
        raise EmberValueError(f"pad: unrecognised padding mode {mode!r} (expected one of {', '.join(_PAD_MODES)})")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ShapeError(f"pad: padding {tuple(pad)} must have an even length of at most "
                         f"2 * {x.ndim} for a tensor of shape {x.shape}")
    if mode != "constant" and pad and len(pad) // 2 >= x.ndim:
        raise ShapeError(f"pad: {mode} padding of the last {len(pad) // 2} dimension(s) needs at least one "
                         f"more (batch) dimension, but the input has shape {x.shape}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (size_value(pad[2 * i]), size_value(pad[2 * i + 1]))
    crop = tuple(slice(-a if a < 0 else 0, s + b if b < 0 else s) for (a, b), s in zip(widths, x.shape))
    if builtins.any(a < 0 or b < 0 for a, b in widths):
        x = getitem_index(x, crop)
        widths = [(builtins.max(a, 0), builtins.max(b, 0)) for a, b in widths]
    if not builtins.any(a or b for a, b in widths):  # nothing to add (NumPy rejects a 0-d pad)
        return clone(x)
    if mode != "constant":
        return _pad_by_gathering(x, widths, mode)
    return bind(S.Pad, (x,), (tuple(widths), value))


def _pad_by_gathering(x, widths, mode: str) -> Tensor:
    """Reflect, replicate or wrap around, one axis at a time, by indexing with source positions."""
    from .indexing import getitem
    for axis, (before, after) in enumerate(widths):
        if not (before or after):
            continue
        size = x.shape[axis]
        too_wide = {"reflect": builtins.max(before, after) >= size,
                    "circular": builtins.max(before, after) > size, "replicate": size == 0}[mode]
        if too_wide:
            raise ShapeError(f"pad: {mode} padding ({before}, {after}) of dimension {axis} must be "
                             f"{'smaller than' if mode == 'reflect' else 'at most'} its size {size} "
                             f"(input shape {x.shape})" if size else
                             f"pad: {mode} padding of dimension {axis} needs a non-empty dimension "
                             f"(input shape {x.shape})")
        xp = backend.namespace_of(x._data)
        position = xp.arange(-before, size + after)
        if mode == "reflect":
            position = xp.abs(position)
            position = xp.where(position >= size, 2 * (size - 1) - position, position)
        elif mode == "replicate":
            position = xp.clip(position, 0, size - 1)
        else:
            position = position % size
        x = getitem(x, (slice(None),) * axis + (Tensor._make(position, None, False),))
    return x


def flip(input, dims) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    x = _tensor(input)
    axes = _axes("flip", dims, x.ndim)
    return x if axes is None else bind(S.Flip, (x,), (axes,))


def repeat(input, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dimension (PyTorch's ``Tensor.repeat``)."""
    x = _tensor(input)
    sizes = _shape_tuple(sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the "
                         f"number of tensor dims ({x.ndim})")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    x = reshape(x, [d for s in shape for d in (1, s)])
    x = broadcast_to(x, [d for r, s in zip(sizes, shape) for d in (r, s)])
    # a copy, as PyTorch's: the reshape alone can stay a read-only stride-0 view
    return clone(reshape(x, [r * s for r, s in zip(sizes, shape)]))


def tile(input, dims) -> Tensor:
    """Like :func:`repeat`, padding ``dims`` with leading ones when it is short."""
    x = _tensor(input)
    dims = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def _along(op, x, index, axis):
    """Check a gather-style index and broadcast ``x`` against it outside ``axis``."""
    index = _tensor(index)
    if index._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer tensor, got {index.dtype}")
    if index.ndim != x.ndim:
        raise ShapeError(f"{op}: index {index.shape} and input {x.shape} must have the same number "
                         "of dimensions")
    if dispatch.tracer is not None:  # symbolic indices: NumPy checks bounds when the graph runs
        return index
    size = x.shape[axis]
    data = index._data
    if data.size and (data.min() < -size or data.max() >= size):
        raise EmberIndexError(f"{op}: index {int(data.max() if data.max() >= size else data.min())} "
                              f"is out of bounds for dimension {axis} with size {size}")
    if data.size and data.min() < 0:
        index = Tensor._make(data % size, None, False)
    return index


def gather(input, dim: int, index) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (index no larger than input elsewhere)."""
    x = _tensor(input)
    axis = normalize_axis("gather", dim, x.ndim)
    index = _along("gather", x, index, axis)
    if builtins.any(i > s for d, (i, s) in enumerate(zip(index.shape, x.shape)) if d != axis):
        raise ShapeError(f"gather: index {index.shape} must not be larger than input {x.shape} "
                         f"outside dimension {axis}")
    x = getitem_index(x, tuple(slice(0, i) if d != axis else slice(None) for d, i in enumerate(index.shape)))
    return bind(S.TakeAlongAxis, (x, index), (axis,))


def take_along_dim(input, indices, dim=None) -> Tensor:
    """Pick values along ``dim`` at ``indices`` (over the flattened tensor when ``dim`` is None)."""
    x = _tensor(input)
    if dim is None:
        return take_along_dim(flatten(x), flatten(_tensor(indices)), 0)
    axis = normalize_axis("take_along_dim", dim, x.ndim)
    indices = _along("take_along_dim", x, indices, axis)
    from ..primitives.rules import broadcast_shapes
    shape = broadcast_shapes("take_along_dim", x.shape[:axis] + (1,) + x.shape[axis + 1:],
                             indices.shape[:axis] + (1,) + indices.shape[axis + 1:])
    x = broadcast_to(x, shape[:axis] + (x.shape[axis],) + shape[axis + 1:])
    indices = broadcast_to(indices, shape[:axis] + (indices.shape[axis],) + shape[axis + 1:])
    return bind(S.TakeAlongAxis, (x, indices), (axis,))


def scatter_add(input, dim: int, index, src) -> Tensor:
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    x = _tensor(input)
    axis = normalize_axis("scatter_add", dim, x.ndim)
    index = _along("scatter_add", x, index, axis)
    src = getitem_index(_tensor(src), tuple(slice(0, i) for i in index.shape))
    return x + scatter_add_zeros(src, index, axis, x.shape)


def scatter_add_zeros(values, indices, axis, shape) -> Tensor:
    return bind(S.ScatterAddZeros, (_tensor(values), _tensor(indices)), (axis, tuple(shape)))


def masked_fill(input, mask, value) -> Tensor:
    """``value`` where ``mask`` is true, ``input`` elsewhere (keeps ``input``'s dtype)."""
    x = _tensor(input)
    value = cast(value, x.dtype) if isinstance(value, Tensor) else full_scalar(value, x)
    return where(_tensor(mask), value, x)


def _triangle(input, diagonal, lower):
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"{'tril' if lower else 'triu'}: input must have at least 2 dimensions, got shape {x.shape}")
    rows, cols = x.shape[-2:]
    xp = backend.namespace_of(x._data)
    keep = xp.tri(rows, cols, diagonal, dtype=bool)
    if not lower:
        keep = ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
    return where(Tensor._make(keep, None, False), x, full_scalar(0, x))  # keeps x's dtype (bool too)


def tril(input, diagonal: int = 0) -> Tensor:
    """Zero the elements above the ``diagonal``-th diagonal."""
    return _triangle(input, diagonal, True)


def triu(input, diagonal: int = 0) -> Tensor:
    """Zero the elements below the ``diagonal``-th diagonal."""
    return _triangle(input, diagonal, False)

