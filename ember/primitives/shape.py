"""Shape and indexing primitives.

Indexing is two primitives that are each other's adjoint: ``getitem`` reads
``x[index]`` and ``index_add`` adds values into a zero tensor at ``index``
(repeated integer indices accumulate, which is exactly the gradient of a read
that used them twice). ``gather``/``scatter_add`` are the same pair along one
axis.
"""
from __future__ import annotations

import math

import numpy

from ..errors import EmberIndexError, ShapeError
from .core import Primitive, primitive
from .rules import broadcast_shapes


def _inverse_permutation(axes):
    inverse = [0] * len(axes)
    for position, axis in enumerate(axes):
        inverse[axis] = position
    return tuple(inverse)


@primitive
class Reshape(Primitive):
    """View the data with a new shape of the same size."""

    name = "reshape"
    saves_inputs = False
    is_view = True

    @staticmethod
    def forward(xp, x, shape):
        return x.reshape(shape)

    @staticmethod
    def abstract(x, shape):
        if math.prod(shape) != math.prod(x.shape):
            raise ShapeError(f"reshape: shape {tuple(shape)} is invalid for input of shape "
                             f"{x.shape} ({math.prod(x.shape)} elements)")
        return tuple(shape), x.dtype

    @staticmethod
    def write_back(base, value, shape):
        return F.reshape(value, base.shape)

    @staticmethod
    def vjp(ctx, g):
        return (F.reshape(g, ctx.inputs[0].shape),)


@primitive
class Permute(Primitive):
    """Reorder the axes."""

    name = "permute"
    saves_inputs = False
    is_view = True

    @staticmethod
    def forward(xp, x, axes):
        return xp.transpose(x, axes)

    @staticmethod
    def abstract(x, axes):
        if sorted(axes) != list(range(len(x.shape))):
            raise ShapeError(f"permute: {tuple(axes)} is not a permutation of the "
                             f"{len(x.shape)} dimensions of a tensor of shape {x.shape}")
        return tuple(x.shape[a] for a in axes), x.dtype

    @staticmethod
    def write_back(base, value, axes):
        return F.permute(value, _inverse_permutation(axes))

    @staticmethod
    def vjp(ctx, g):
        return (F.permute(g, _inverse_permutation(ctx.attrs[0])),)


@primitive
class BroadcastTo(Primitive):
    """Repeat size-1 (or missing leading) axes to a larger shape, without copying."""

    name = "broadcast_to"
    saves_inputs = False
    is_view = True

    @staticmethod
    def forward(xp, x, shape):
        return xp.broadcast_to(x, shape)

    @staticmethod
    def abstract(x, shape):
        ok = len(shape) >= len(x.shape) and all(
            s in (1, t) for s, t in zip(x.shape[::-1], shape[::-1]))
        if not ok:
            raise ShapeError(f"broadcast_to: cannot expand shape {x.shape} to {tuple(shape)}")
        return tuple(shape), x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (F.sum_to(g, ctx.inputs[0].shape),)


def _is_basic(index) -> bool:
    return all(item is None or item is Ellipsis or isinstance(item, (int, slice)) for item in index)


@primitive
class Getitem(Primitive):
    """``x[index]`` for a normalised index tuple (ints, slices, None, Ellipsis, integer arrays)."""

    name = "getitem"
    saves_inputs = False
    is_view = True

    @staticmethod
    def forward(xp, x, index):
        return x[index]

    @staticmethod
    def abstract(x, index):
        probe = numpy.lib.stride_tricks.as_strided(numpy.zeros((), x.dtype), x.shape, [0] * len(x.shape))
        try:
            return probe[index].shape, x.dtype
        except IndexError as error:
            raise EmberIndexError(f"getitem: {error} (tensor shape {x.shape})") from None

    @staticmethod
    def makes_view(index) -> bool:
        return _is_basic(index)  # integer or boolean arrays copy, as in PyTorch and NumPy

    @staticmethod
    def write_back(base, value, index):
        if not _is_basic(index):  # advanced indexing made a copy: nothing to write back
            return None
        return F.index_put_value(base, index, value)

    @staticmethod
    def vjp(ctx, g):
        return (F.index_add_zeros(g, ctx.inputs[0].shape, ctx.attrs[0]),)


def _add_rows(xp, out, rows, values) -> None:
    """``out[rows] += values`` for integer ``rows`` on axis 0 (an embedding's gradient).

    Through a 1-D ``add.at`` on flat element positions: NumPy's fast path for
    1-D operands made the char-GPT's (65, 32) table gradient 3x faster than
    ``add.at`` with a row index, adding the same values in the same order.
    """
    width = out.size // out.shape[0] if out.shape[0] else 0
    rows = rows.reshape(-1)
    rows = xp.where(rows < 0, rows + out.shape[0], rows)  # getitem checked the range
    positions = (rows[:, None] * width + xp.arange(width)).reshape(-1)
    xp.add.at(out.reshape(-1), positions, values.reshape(-1))


@primitive
class IndexAdd(Primitive):
    """A zero tensor of ``shape`` with ``values`` added at ``index`` (the adjoint of getitem)."""

    name = "index_add"
    saves_inputs = False

    @staticmethod
    def forward(xp, values, shape, index):
        out = xp.zeros(shape, values.dtype)
        if _is_basic(index):
            out[index] = values
        elif len(index) == 1 and getattr(index[0], "dtype", None) is not None and index[0].dtype.kind in "iu":
            _add_rows(xp, out, index[0], values)
        else:
            xp.add.at(out, index, values)
        return out

    @staticmethod
    def abstract(values, shape, index):
        return tuple(shape), values.dtype

    @staticmethod
    def vjp(ctx, g):
        return (F.getitem_index(g, ctx.attrs[1]),)


@primitive
class IndexPut(Primitive):
    """A copy of ``x`` with ``values`` written at ``index`` (``x[index] = values``, out of place)."""

    name = "index_put"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, values, index):
        out = x.copy()
        out[index] = values
        return out

    @staticmethod
    def abstract(x, values, index):
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        index = ctx.attrs[0]
        grad_x = F.index_put_value(g, index, 0)
        values = ctx.inputs[1]
        grad_values = F.getitem_index(g, index) if hasattr(values, "_data") else None
        return grad_x, grad_values


@primitive
class Concatenate(Primitive):
    """Join tensors along an existing axis (inputs: the tensors; attribute: the axis)."""

    name = "concatenate"
    saves_inputs = False

    @staticmethod
    def forward(xp, *arrays_and_axis):
        *arrays, axis = arrays_and_axis
        return xp.concatenate(arrays, axis=axis)

    @staticmethod
    def abstract(*avals_and_axis):
        *avals, axis = avals_and_axis
        first = avals[0].shape
        for aval in avals[1:]:
            same_rank = len(aval.shape) == len(first)
            if not same_rank or any(a != b for i, (a, b) in enumerate(zip(aval.shape, first)) if i != axis):
                shapes = ", ".join(str(a.shape) for a in avals)
                raise ShapeError(f"cat: tensors must have the same shape except in dimension "
                                 f"{axis}; got shapes {shapes}")
        size = sum(a.shape[axis] for a in avals)
        return first[:axis] + (size,) + first[axis + 1:], avals[0].dtype

    @staticmethod
    def vjp(ctx, g):
        axis = ctx.attrs[0]
        grads, start = [], 0
        for value in ctx.inputs:
            stop = start + value.shape[axis]
            index = (slice(None),) * axis + (slice(start, stop),)
            grads.append(F.getitem_index(g, index))
            start = stop
        return tuple(grads)


@primitive
class Pad(Primitive):
    """Constant padding; ``widths`` is a tuple of ``(before, after)`` pairs, one per axis."""

    name = "pad"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, widths, value):
        return xp.pad(x, widths, constant_values=value)

    @staticmethod
    def abstract(x, widths, value):
        return tuple(s + a + b for s, (a, b) in zip(x.shape, widths)), x.dtype

    @staticmethod
    def vjp(ctx, g):
        widths = ctx.attrs[0]
        index = tuple(slice(a, a + s) for (a, _), s in zip(widths, ctx.inputs[0].shape))
        return (F.getitem_index(g, index),)


@primitive
class Flip(Primitive):
    """Reverse the order of elements along ``axes``, into new memory.

    A copy, as ``torch.flip`` is (NumPy's flip is a view): writing in place
    into a flipped tensor must not change the original.
    """

    name = "flip"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, axes):
        return xp.flip(x, axes).copy()

    @staticmethod
    def abstract(x, axes):
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (F.flip(g, ctx.attrs[0]),)


@primitive
class TakeAlongAxis(Primitive):
    """``gather``: pick ``x`` elements along ``axis`` at integer ``indices`` of the same rank."""

    name = "take_along_axis"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, indices, axis):
        return xp.take_along_axis(x, indices, axis=axis)

    @staticmethod
    def abstract(x, indices, axis):
        return broadcast_shapes("gather", x.shape[:axis] + (1,) + x.shape[axis + 1:], indices.shape), x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, indices = ctx.inputs
        return F.scatter_add_zeros(g, indices, ctx.attrs[0], x.shape), None


@primitive
class ScatterAddZeros(Primitive):
    """A zero tensor of ``shape`` with ``values`` added along ``axis`` at ``indices`` (gather's adjoint)."""

    name = "scatter_add_zeros"
    saves_inputs = False

    @staticmethod
    def forward(xp, values, indices, axis, shape):
        out = xp.zeros(shape, values.dtype)
        coordinates = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (len(shape) - i - 1))
                       for i, n in enumerate(indices.shape)]
        coordinates[axis] = xp.where(indices < 0, indices + shape[axis], indices)
        # one flat index per value: NumPy's 1-D add.at is several times faster than the n-D one
        # (an index still out of range raises, as the n-D form did)
        flat = xp.ravel_multi_index(xp.broadcast_arrays(*coordinates), shape)
        xp.add.at(out.reshape(-1), flat.reshape(-1), values.reshape(-1))
        return out

    @staticmethod
    def abstract(values, indices, axis, shape):
        return tuple(shape), values.dtype

    @staticmethod
    def vjp(ctx, g):
        # gather, not take_along_dim: indices may be smaller than the output outside ``axis``
        values, indices = ctx.inputs
        return F.gather(g, ctx.attrs[0], indices), None


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
