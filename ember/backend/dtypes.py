"""Ember's dtypes and PyTorch's type-promotion rules.

A :class:`DType` wraps a NumPy dtype. Promotion follows PyTorch rather than
NumPy: Python scalars and zero-dimensional tensors only decide the result's
*category* (bool < integer < floating < complex), and an integer tensor meeting a float
scalar becomes the default float dtype, not float64. A complex operand of a
weaker group meeting a floating tensor gives that float's complex counterpart
(``float64`` tensor times ``1j`` is ``complex128``), as PyTorch does.
"""
from __future__ import annotations

import numpy

from ..errors import DTypeError


class DType:
    """A tensor element type, e.g. ``ember.float32``."""

    __slots__ = ("name", "numpy", "itemsize", "is_floating_point", "is_complex", "is_signed", "category")

    def __init__(self, name: str, numpy_dtype, category: int):
        self.name = name
        self.numpy = numpy.dtype(numpy_dtype)
        self.itemsize = self.numpy.itemsize
        self.category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = category >= 2 or self.numpy.kind == "i"

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def to_complex(self) -> "DType":
        """The complex dtype with this floating dtype's parts (``float32.to_complex()`` is complex64)."""
        if self.category == 3:
            return self
        if self.category != 2 or self.name == "float16":
            raise DTypeError(f"Unknown Complex ScalarType for {self.name} (Ember has complex64 and complex128)")
        return complex128 if self.name == "float64" else complex64

    def to_real(self) -> "DType":
        """The dtype of a complex dtype's parts (``complex64.to_real()`` is float32); others unchanged."""
        return real_dtype(self)

    def __reduce__(self):
        return (as_dtype, (self.name,))


bool_ = DType("bool", numpy.bool_, 0)
uint8 = DType("uint8", numpy.uint8, 1)
int8 = DType("int8", numpy.int8, 1)
int16 = DType("int16", numpy.int16, 1)
int32 = DType("int32", numpy.int32, 1)
int64 = DType("int64", numpy.int64, 1)
float16 = DType("float16", numpy.float16, 2)
float32 = DType("float32", numpy.float32, 2)
float64 = DType("float64", numpy.float64, 2)
complex64 = DType("complex64", numpy.complex64, 3)
complex128 = DType("complex128", numpy.complex128, 3)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NUMPY = {d.numpy: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64,
                 "int": int32, "short": int16, "bool_": bool_, "cfloat": complex64,
                 "cdouble": complex128})

_default_float = float32


def from_numpy_dtype(numpy_dtype) -> DType:
    """The Ember dtype of a NumPy dtype; raises for types Ember does not support."""
    try:
        return _BY_NUMPY[numpy_dtype]
    except KeyError:
        dtype = numpy.dtype(numpy_dtype)
        if dtype in _BY_NUMPY:
            return _BY_NUMPY[dtype]
        raise DTypeError(
            f"unsupported dtype {dtype}; Ember supports "
            + ", ".join(d.name for d in ALL_DTYPES)) from None


def as_dtype(spec) -> DType:
    """Turn ``ember.float32``, ``'float32'``, ``numpy.float32``, ``float``, ``int`` or ``bool`` into a DType."""
    if isinstance(spec, DType):
        return spec
    if spec is float:
        return _default_float
    if spec is int:
        return int64
    if spec is bool:
        return bool_
    if spec is complex:
        return default_complex()
    if isinstance(spec, str):
        try:
            return _BY_NAME[spec.removeprefix("ember.").removeprefix("torch.")]
        except KeyError:
            raise DTypeError(f"unknown dtype {spec!r}; expected one of "
                             + ", ".join(d.name for d in ALL_DTYPES)) from None
    if getattr(spec, "__module__", "") == "torch" or type(spec).__name__ == "dtype" and hasattr(spec, "is_floating_point"):
        return as_dtype(str(spec))
    try:
        return from_numpy_dtype(numpy.dtype(spec))
    except DTypeError:
        raise  # a NumPy dtype Ember lacks: the message lists the ones it has
    except TypeError:
        raise DTypeError(f"unknown dtype {spec!r}") from None


def get_default_dtype() -> DType:
    """The dtype of floating tensors created without an explicit dtype (float32 unless changed)."""
    return _default_float


def default_complex(real: DType | None = None) -> DType:
    """The complex dtype matching a floating dtype (the default float's when None):
    complex128 for float64, complex64 otherwise (Ember has no complex32)."""
    real = _default_float if real is None else real
    return complex128 if real is float64 else complex64


def real_dtype(dtype: DType) -> DType:
    """The floating dtype of a complex dtype's parts (other dtypes are returned unchanged)."""
    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype (float16, float32 or float64), as ``torch.set_default_dtype``."""
    global _default_float
    dtype = as_dtype(dtype)
    if not dtype.is_floating_point:
        raise DTypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_float = dtype


def scalar_category(value) -> int:
    """Category of a Python scalar: 0 bool, 1 int, 2 float, 3 complex."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1
    return 3 if isinstance(value, complex) else 2


def _promote_pair(a: DType, b: DType) -> DType:
    if a is b:
        return a
    if a.category != b.category:
        high, low = (a, b) if a.category > b.category else (b, a)
        if high.category == 3 and low is float64:
            return complex128  # torch.promote_types(float64, complex64) is complex128
        return high
    return _BY_NUMPY[numpy.promote_types(a.numpy, b.numpy)]


def promote_types(type1, type2) -> DType:
    """The smallest dtype both promote to, as ``torch.promote_types`` (categories first: an
    integer and a float give the float, a float64 and a complex64 give complex128).

    Example:
        >>> import ember
        >>> ember.promote_types(ember.float64, ember.complex64), ember.promote_types("uint8", "int8")
        (ember.complex128, ember.int16)
    """
    return _promote_pair(as_dtype(type1), as_dtype(type2))


def _weak_winner(result: DType | None, winner: DType) -> DType:
    """A weaker operand's higher category wins; complex over a float keeps the float's precision."""
    if winner.category == 3 and result is not None and result.category == 2:
        return default_complex(result)
    return winner


def _promote_all(dtypes) -> DType | None:
    result = None
    for dtype in dtypes:
        result = dtype if result is None else _promote_pair(result, dtype)
    return result


def result_type(shaped: list, zero_dim: list, scalars: list) -> DType:
    """PyTorch's result dtype for an operation.

    ``shaped`` and ``zero_dim`` are the dtypes of operands with and without
    dimensions; ``scalars`` are Python numbers. A higher category among the
    weaker groups wins over the stronger group's dtype, but only by category.
    """
    result = _promote_all(shaped)
    weak = _promote_all(zero_dim)
    if weak is not None and (result is None or weak.category > result.category):
        result = _weak_winner(result, weak)
    if scalars:
        category = max(scalar_category(s) for s in scalars)
        if result is None or category > result.category:
            result = _weak_winner(result, (bool_, int64, _default_float, default_complex())[category])
    return result
