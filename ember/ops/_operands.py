"""Operand handling shared by the public ops: array-likes as tensors, PyTorch's dtype
promotion, ``cast``, and PyTorch's ``dim`` as a tuple of axes."""
from __future__ import annotations

import numbers

import numpy

from .. import backend
from ..backend import as_dtype, get_default_dtype, result_type
from ..tensor import Tensor
from ..primitives import elementwise as E
from .creation import to_array
from ..primitives.core import bind
from ..primitives.rules import normalize_axis

_SCALARS = (int, float, bool)


def _tensor(value) -> Tensor:
    """Any array-like as a Tensor (tensors pass through)."""
    if type(value) is Tensor or isinstance(value, Tensor):
        return value
    return Tensor._make(to_array(value), None, False)


def _operand(value):
    """A tensor or a Python scalar; NumPy scalars become Python scalars."""
    if type(value) is Tensor or type(value) in _SCALARS or isinstance(value, Tensor):
        return value
    if isinstance(value, numbers.Number) and not isinstance(value, numpy.ndarray):
        return value.item() if hasattr(value, "item") else value
    return _tensor(value)


def _promote(*operands):
    """Cast tensor operands to PyTorch's result dtype; keep scalars that fit it."""
    shaped, zero_dim, scalars = [], [], []
    for value in operands:
        if isinstance(value, Tensor):
            (shaped if value._data.ndim else zero_dim).append(value.dtype)
        else:
            scalars.append(value)
    target = result_type(shaped, zero_dim, scalars)
    return tuple(_as(value, target) for value in operands), target


def _as(value, dtype):
    if isinstance(value, Tensor) and value._data.dtype != dtype.numpy:
        return cast(value, dtype)
    if type(value) is int and dtype.numpy.kind in "iu":
        return _wrapped(value, dtype.numpy)
    return value  # NumPy treats Python scalars as weakly typed, like PyTorch


def _wrapped(value: int, dtype) -> int:
    """An int outside an integer dtype's range, wrapped into it as PyTorch does (NumPy 2 raises)."""
    limits = numpy.iinfo(dtype)
    if limits.min <= value <= limits.max:
        return value
    return int(numpy.array(value % 2 ** 64, numpy.uint64).astype(dtype))


def _binary(prim, a, b):
    """Run a binary elementwise primitive with PyTorch's promotion."""
    type_a, type_b = type(a), type(b)
    if type_a is Tensor and type_b is Tensor and a._data.dtype is b._data.dtype:
        return bind(prim, (a, b))
    if type_a is Tensor and type_b in (int, float) and a._data.dtype.kind == "f":
        return bind(prim, (a, b))
    if type_b is Tensor and type_a in (int, float) and b._data.dtype.kind == "f":
        return bind(prim, (a, b))
    a, b = _operand(a), _operand(b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _tensor(a)
    (a, b), _ = _promote(a, b)
    return bind(prim, (a, b))


def full_scalar(value, like: Tensor) -> Tensor:
    """A 0-d tensor of ``like``'s dtype holding a Python scalar."""
    data = like._data
    return Tensor._make(backend.namespace_of(data).asarray(value, dtype=data.dtype), None, False)


def _float(x, op: str = "this operation") -> Tensor:
    """Integer and bool inputs of float-only math become the default float dtype (as in PyTorch);
    complex inputs are refused (casting would silently drop their imaginary parts)."""
    x = _tensor(x)
    kind = x._data.dtype.kind
    if kind == "f":
        return x
    if kind == "c":
        from ..errors import DTypeNotImplementedError
        raise DTypeNotImplementedError(f"{op}: not implemented for complex tensors (got {x.dtype}); "
                                       "apply it to .real, .imag or .abs() instead")
    return cast(x, get_default_dtype())


# cast and _axes are used by every category below, so they live here, where no import cycle forms.
def cast(input, dtype) -> Tensor:
    """Convert to ``dtype`` (differentiable between floating dtypes)."""
    x = _tensor(input)
    target = as_dtype(dtype).numpy
    if x._data.dtype == target:
        return x
    return bind(E.cast_p, (x,), (target,))


def _axes(op: str, dim, ndim: int):
    """PyTorch's ``dim`` (None, int or sequence) as a sorted tuple of axes, or None.

    A 0-d tensor accepts dim 0 or -1 as PyTorch does; it means "everything" (None),
    since the array itself has no axis 0.
    """
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted({normalize_axis(op, int(d), ndim) for d in dim}))
    else:
        axes = (normalize_axis(op, int(dim), ndim),)
    return axes if ndim else None
