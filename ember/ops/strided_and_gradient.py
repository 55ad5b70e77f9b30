"""``as_strided`` (a strided window onto a tensor's elements, gathered so it differentiates) and
``gradient`` (NumPy's central differences with first- or second-order edges).

Example:
    >>> import ember
    >>> ember.as_strided(ember.arange(5.0), (3, 2), (1, 1)).tolist()
    [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
"""
from __future__ import annotations

import numpy

from ..errors import EmberValueError
from ..tensor import Tensor
from ._operands import _tensor


def as_strided(input, size, stride, storage_offset: int = 0) -> Tensor:
    """The elements at ``storage_offset + sum(i_k * stride_k)`` of the input's row-major elements,
    in shape ``size``. Ember gathers them (a copy whose gradient scatters back), reading the input as
    contiguous: for a non-contiguous view PyTorch reads its base's memory instead.

    Example:
        >>> import ember
        >>> ember.as_strided(ember.arange(6.0).reshape(2, 3), (2, 2), (3, 1), 1).tolist()
        [[1.0, 2.0], [4.0, 5.0]]
    """
    from .creation import tensor
    x = _tensor(input)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise EmberValueError(f"mismatch in length of strides and shape: {len(stride)} strides for {len(size)} sizes")
    positions = numpy.full(size, storage_offset, dtype=numpy.int64)
    for axis, (length, step) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = length
        positions = positions + (numpy.arange(length) * step).reshape(shape)
    if positions.size and (positions.min() < 0 or positions.max() >= x.numel()):
        raise EmberValueError(f"as_strided: size {size} and stride {stride} at offset {storage_offset} reach "
                              f"outside the {x.numel()} elements of the input")
    return x.reshape(-1)[tensor(positions, device=x.device)]


def _differences(x: Tensor, axis: int, spacing: float, edge_order: int) -> Tensor:
    from .shape import cat
    length = x.shape[axis]
    if length < edge_order + 1:
        raise EmberValueError(f"torch.gradient expected each dimension size to be at least edge_order+1, "
                              f"got {length} along dim {axis}")

    def part(start, stop):
        return x[(slice(None),) * axis + (slice(start, stop),)]
    interior = (part(2, None) - part(0, -2)) / (2 * spacing)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / spacing
        last = (part(-1, None) - part(-2, -1)) / spacing
    else:
        first = (-1.5 * part(0, 1) + 2 * part(1, 2) - 0.5 * part(2, 3)) / spacing
        last = (0.5 * part(-3, -2) - 2 * part(-2, -1) + 1.5 * part(-1, None)) / spacing
    return cat([first, interior, last], axis)


def gradient(input, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """The derivative estimated along each of ``dim`` (all dimensions by default) with uniform
    ``spacing`` (one number, or one per dimension): central differences inside, one-sided at the edges.

    Example:
        >>> import ember
        >>> ember.gradient(ember.tensor([1.0, 2.0, 4.0, 8.0]))[0].tolist()
        [1.0, 1.5, 3.0, 4.0]
    """
    x = _tensor(input)
    if edge_order not in (1, 2):
        raise EmberValueError(f"torch.gradient only supports edge_order=1 and edge_order=2, got {edge_order}")
    axes = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    axes = tuple(a % x.ndim for a in axes)
    if len(set(axes)) != len(axes):
        raise EmberValueError(f"torch.gradient: dim {axes} names a dimension more than once")
    steps = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(axes)
    if len(steps) != len(axes) or any(isinstance(s, Tensor) for s in steps):
        raise EmberValueError("torch.gradient: Ember supports uniform spacing only (a number, or one per dimension)")
    return tuple(_differences(x, axis, float(step), edge_order) for axis, step in zip(axes, steps))
