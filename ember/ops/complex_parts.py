"""Complex tensors and their parts: ``real``, ``imag``, ``conj``, ``complex``, ``polar``,
``angle``, ``view_as_real``/``view_as_complex``, and the refusal of ops with no complex meaning.

Ember's ``real``/``imag``/``view_as_real``/``view_as_complex`` return copies
where PyTorch returns views: the values and gradients are PyTorch's, but an
in-place write into the result does not reach the original tensor.
"""
from __future__ import annotations

import builtins
import math

from ..backend import default_complex
from ..errors import DTypeError, DTypeNotImplementedError, ShapeError
from ..primitives import complex_parts as C
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _tensor, cast


def refuse_complex(op: str, *values) -> None:
    """Raise a clear error when an operand of ``op`` is complex (an op with no complex meaning)."""
    for value in values:
        if isinstance(value, builtins.complex) or isinstance(value, Tensor) and value._data.dtype.kind == "c":
            dtype = value.dtype if isinstance(value, Tensor) else "a Python complex"
            raise DTypeNotImplementedError(
                f"{op}: not implemented for complex tensors (got {dtype}); apply it to .real, "
                ".imag or .abs() instead")


def is_complex(input) -> bool:
    """Whether the tensor's dtype is complex64 or complex128.

    Example:
        >>> import ember
        >>> ember.is_complex(ember.tensor([1 + 2j])), ember.is_complex(ember.ones(2))
        (True, False)
    """
    return _tensor(input)._data.dtype.kind == "c"


def real(input) -> Tensor:
    """The real part (a copy; PyTorch returns a view). A real tensor is returned as is.

    Example:
        >>> import ember
        >>> ember.real(ember.tensor([1 + 2j, 3 - 4j]))
        tensor([1., 3.])
    """
    x = _tensor(input)
    return bind(C.Real, (x,)) if x._data.dtype.kind == "c" else x


def imag(input) -> Tensor:
    """The imaginary part (a copy); real tensors have none, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.imag(ember.tensor([1 + 2j, 3 - 4j]))
        tensor([ 2., -4.])
    """
    x = _tensor(input)
    if x._data.dtype.kind != "c":
        raise DTypeError(f"imag is not implemented for tensors with non-complex dtypes (got {x.dtype})")
    return bind(C.Imag, (x,))


def conj(input) -> Tensor:
    """The complex conjugate; a real tensor is returned as is.

    Example:
        >>> import ember
        >>> ember.conj(ember.tensor([1 + 2j]))
        tensor([1.-2.j])
    """
    x = _tensor(input)
    return bind(C.Conj, (x,)) if x._data.dtype.kind == "c" else x


def conj_physical(input) -> Tensor:
    """:func:`conj` (Ember has no lazy conjugate bit, so both always compute)."""
    return conj(input)


def resolve_conj(input) -> Tensor:
    """The tensor itself: Ember never defers a conjugation."""
    return _tensor(input)


resolve_neg = resolve_conj


def complex(real, imag) -> Tensor:
    """A complex tensor from real and imaginary parts (both float32 or both float64, broadcast).

    Example:
        >>> import ember
        >>> ember.complex(ember.tensor([1.0, 2.0]), ember.tensor([3.0, -1.0]))
        tensor([1.+3.j, 2.-1.j])
    """
    re, im = _tensor(real), _tensor(imag)
    if re._data.dtype != im._data.dtype or re._data.dtype.kind != "f" or re._data.dtype.itemsize < 4:
        raise DTypeError(f"complex: expected both inputs to be float32 or float64 tensors of one dtype, "
                         f"got {re.dtype} and {im.dtype}")
    return bind(C.Complex, (re, im))


def polar(abs, angle) -> Tensor:
    """``abs * (cos(angle) + i sin(angle))``, differentiable in both.

    Example:
        >>> import ember, math
        >>> ember.polar(ember.tensor([2.0]), ember.tensor([math.pi / 2])).imag
        tensor([2.])
    """
    from .elementwise import cos, mul, sin
    magnitude, phase = _tensor(abs), _tensor(angle)
    return complex(mul(magnitude, cos(phase)), mul(magnitude, sin(phase)))


def complex_abs(input: Tensor) -> Tensor:
    """``|z|`` of a complex tensor (``ember.abs`` calls this for complex input)."""
    return bind(C.ComplexAbs, (input,))


def angle(input) -> Tensor:
    """The argument of each element: ``atan2(imag, real)`` (for real input: pi below 0, else 0).

    Example:
        >>> import ember
        >>> ember.angle(ember.tensor([1j, -1.0 + 0j]))
        tensor([1.5708, 3.1416])
    """
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        return bind(C.Angle, (x,))
    from ._operands import _float
    from .elementwise import where
    x = _float(x)
    return where(x < 0, math.pi, 0.0) + 0 * x  # 0 * x: the result stays on x's graph (gradient 0)


def sgn(input) -> Tensor:
    """``z / |z|`` (0 where ``z`` is 0): the complex extension of ``sign``; real input gives ``sign``.

    Example:
        >>> import ember
        >>> ember.sgn(ember.tensor([3 + 4j, 0j]))
        tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """
    from .elementwise import sign, where
    x = _tensor(input)
    if x._data.dtype.kind != "c":
        return sign(x)
    magnitude = complex_abs(x)
    zero = magnitude == 0
    # 0 where z is 0, its gradient too (as PyTorch): the inner where keeps nan out of the division
    return where(zero, 0.0, x / where(zero, 1.0, magnitude))


def view_as_real(input) -> Tensor:
    """A complex tensor as a real one with a trailing dimension of 2 (real, imaginary); a copy.

    Example:
        >>> import ember
        >>> ember.view_as_real(ember.tensor([1 + 2j]))
        tensor([[1., 2.]])
    """
    from .shape import stack
    x = _tensor(input)
    if x._data.dtype.kind != "c":
        raise DTypeError(f"view_as_real is only supported for complex tensors, got {x.dtype}")
    return stack([real(x), imag(x)], -1)


def view_as_complex(input) -> Tensor:
    """A float32/float64 tensor whose last dimension is 2 as a complex tensor; a copy.

    Example:
        >>> import ember
        >>> ember.view_as_complex(ember.tensor([[1.0, 2.0]]))
        tensor([1.+2.j])
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f" or x._data.dtype.itemsize < 4:
        raise DTypeError(f"view_as_complex is only supported for float32 and float64 tensors, "
                         f"but got a tensor of scalar type {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise ShapeError(f"view_as_complex: Tensor must have a last dimension of size 2, got shape {x.shape}")
    return complex(x[..., 0], x[..., 1])


def to_complex(input) -> Tensor:
    """Any tensor as complex: complex stays, float32/float64 gain a zero imaginary part,
    other dtypes become the default complex dtype (what ``torch.fft`` does to its input)."""
    x = _tensor(input)
    kind = x._data.dtype.kind
    if kind == "c":
        return x
    if kind == "f" and x._data.dtype.itemsize >= 4:
        return cast(x, default_complex(x.dtype))
    return cast(x, default_complex())


def _install_methods() -> None:
    """``Tensor.real``/``.imag`` (properties, as in PyTorch), ``conj()``, ``angle()`` and the rest."""
    from ..backend import complex64, complex128
    methods = {
        "real": property(real), "imag": property(imag), "conj": conj, "conj_physical": conj_physical,
        "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "angle": angle, "sgn": sgn,
        "is_conj": lambda self: False, "is_neg": lambda self: False,
        "cfloat": lambda self: cast(self, complex64), "cdouble": lambda self: cast(self, complex128),
    }
    for name, method in methods.items():
        setattr(Tensor, name, method)


_install_methods()
