"""Shape/dtype rules shared by families of primitives."""
from __future__ import annotations

import numpy

from ..errors import DTypeError, ShapeError
from .core import Aval


def _shape(value):
    return value.shape if isinstance(value, Aval) else ()


def _dtype(value):
    return value.dtype if isinstance(value, Aval) else numpy.result_type(value)


def broadcast_shapes(op: str, *shapes) -> tuple:
    """The broadcast of ``shapes``, or a ShapeError naming ``op`` and every shape."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            listed = " and ".join(str(tuple(s)) for s in shapes)
            raise ShapeError(
                f"{op}: shapes {listed} cannot be broadcast together "
                f"(dimension {axis} has sizes {sorted(sizes)}; each must be equal or 1)")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def same_as_input(x, *attrs):
    """Elementwise unary: output has the input's shape and dtype."""
    return _shape(x), _dtype(x)


def elementwise(op: str):
    """Elementwise n-ary rule: broadcast shapes, dtype of the array operands."""
    def rule(*operands):
        shapes = [_shape(v) for v in operands]
        arrays = [v.dtype for v in operands if isinstance(v, Aval)]
        dtype = arrays[0] if arrays else _dtype(operands[0])
        return broadcast_shapes(op, *shapes), dtype
    return rule


def comparison(op: str):
    """Like :func:`elementwise` but the result is boolean."""
    base = elementwise(op)

    def rule(*operands):
        return base(*operands)[0], numpy.dtype(bool)
    return rule


def require_float(op: str, value) -> None:
    if isinstance(value, Aval) and value.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a floating-point tensor, got dtype {value.dtype}")


def normalize_axis(op: str, axis: int, ndim: int) -> int:
    """A non-negative axis, or a clear IndexError naming the op."""
    bound = max(ndim, 1)
    if not -bound <= axis < bound:
        from ..errors import EmberIndexError  # here, not per call: this runs for every reduction and permute
        raise EmberIndexError(
            f"{op}: dimension {axis} is out of range for a tensor with {ndim} dimension(s) "
            f"(expected a value in [{-bound}, {bound - 1}])")
    return axis % bound


def reduced_shape(shape, axes, keepdims) -> tuple:
    if axes is None:
        return tuple(1 for _ in shape) if keepdims else ()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)
