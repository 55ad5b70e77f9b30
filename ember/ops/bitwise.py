"""Integer ops with PyTorch's names: ``bitwise_and/or/xor/not``, ``bitwise_left/right_shift``, ``gcd``,
``lcm``, ``nextafter``, and the operators ``&``, ``|``, ``^``, ``~``, ``<<``, ``>>`` on tensors.

Operands are promoted as for arithmetic (``int32 & int64`` is int64, a bool tensor with an int
tensor is an integer op). On two bool operands the bit operations are the logical ones
(:func:`ember.logical_and` ...), so ``mask_a & mask_b`` runs the same primitive as before.
Floats are refused with an error naming the op and the dtype, as PyTorch refuses them.

Example:
    >>> import ember
    >>> a, b = ember.tensor([12, 10, -1]), ember.tensor([10, 6, 3])
    >>> (a & b).tolist(), (a | b).tolist(), (a ^ b).tolist(), (~a).tolist()
    ([8, 2, 3], [14, 14, -1], [6, 12, -4], [-13, -11, 0])
    >>> (a << 2).tolist(), (a >> 1).tolist(), ember.gcd(a, b).tolist(), ember.lcm(a, b).tolist()
    ([48, 40, -4], [6, 5, -1], [2, 2, 1], [60, 30, 3])
"""
from __future__ import annotations

from ..errors import DTypeError
from ..primitives import bitwise as B
from ..primitives import elementwise as E
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _binary, _tensor
from .comparison import logical_not


def _both_bool(a, b) -> bool:
    def is_bool(value):
        return type(value) is bool or (isinstance(value, Tensor) and value._data.dtype.kind == "b")
    return is_bool(a) and is_bool(b)


def _checked_binary(primitive, kinds: str, a, b) -> Tensor:
    """``primitive`` on ``a``, ``b`` promoted, after refusing operands of the wrong kind.

    The shape/dtype rule refuses them too, but eager calls read it only when NumPy fails, and
    NumPy happily shifts bools or takes ``nextafter`` of integers.
    """
    for value in (a, b):
        kind = value._data.dtype.kind if isinstance(value, Tensor) else "f" if type(value) is float else "i"
        if kind not in kinds:
            dtype = value.dtype.name if isinstance(value, Tensor) else type(value).__name__
            raise DTypeError(f"{primitive.name}: expected {B.KIND_NAMES[kinds]} tensor, got dtype {dtype}")
    return _binary(primitive, a, b)


def _bit_op(name: str, integer_primitive, logical_primitive):
    def op(input, other) -> Tensor:
        if type(input) is Tensor and type(other) is Tensor and input._data.dtype is other._data.dtype:
            kind = input._data.dtype.kind  # two tensors of one dtype (masks): no promotion to work out
            if kind == "b":
                return bind(logical_primitive, (input, other))
            if kind in "iu":
                return bind(integer_primitive, (input, other))
        if _both_bool(input, other):
            return _binary(logical_primitive, input, other)
        return _checked_binary(integer_primitive, B.INTEGER_OR_BOOL_KINDS, input, other)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer (or bool) tensors, with broadcasting."
    return op


bitwise_and = _bit_op("bitwise_and", B.bitwise_and, E.logical_and)
bitwise_or = _bit_op("bitwise_or", B.bitwise_or, E.logical_or)
bitwise_xor = _bit_op("bitwise_xor", B.bitwise_xor, E.logical_xor)


def bitwise_not(input) -> Tensor:
    """Every bit flipped (``~x``; ``not`` for bool tensors)."""
    x = _tensor(input)
    if x._data.dtype.kind == "b":
        return logical_not(x)
    if x._data.dtype.kind not in B.INTEGER_KINDS:
        raise DTypeError(f"bitwise_not: expected an integer or bool tensor, got dtype {x.dtype.name}")
    return bind(B.bitwise_not, (x,))


def bitwise_left_shift(input, other) -> Tensor:
    """``input << other``: shifts past the width give 0, as in PyTorch."""
    return _checked_binary(B.bitwise_left_shift, B.INTEGER_KINDS, input, other)


def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other``, arithmetic (the sign fills in) for signed integers."""
    return _checked_binary(B.bitwise_right_shift, B.INTEGER_KINDS, input, other)


def gcd(input, other) -> Tensor:
    """The greatest common divisor (non-negative; ``gcd(0, 0)`` is 0) of integer tensors."""
    return _checked_binary(B.gcd, B.INTEGER_KINDS, input, other)


def lcm(input, other) -> Tensor:
    """The least common multiple (non-negative; 0 when either is 0) of integer tensors."""
    return _checked_binary(B.lcm, B.INTEGER_KINDS, input, other)


def nextafter(input, other) -> Tensor:
    """The next floating-point value after ``input`` towards ``other``."""
    return _checked_binary(B.nextafter, B.FLOAT_KINDS, input, other)


def bitcast(input, dtype) -> Tensor:
    """The same bytes read as ``dtype`` (PyTorch's ``Tensor.view(dtype)``); the last axis scales by the
    ratio of the item sizes.

    Example:
        >>> import ember
        >>> from ember.ops.bitwise import bitcast
        >>> bitcast(ember.tensor([1.0], dtype=ember.float32), ember.int32).tolist()
        [1065353216]
    """
    from ..backend import as_dtype
    target = as_dtype(dtype)
    x = _tensor(input)
    if x.dtype == target:
        return x
    return bind(B.Bitcast, (x,), (target.numpy,))


def _reflected(function):
    def operator(self, other):
        return function(other, self)
    return operator


def install() -> None:
    """The operators, and methods of the same names (``x.gcd(y)``, in place ``x.bitwise_and_(y)``, ``x &= y``)
    on :class:`Tensor`, as PyTorch's."""
    from .tensor_methods import _inplace
    for name in __all__:
        setattr(Tensor, name, globals()[name])
        setattr(Tensor, name + "_", _inplace(name + "_", globals()[name]))
    operators = {"__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor, "__invert__": bitwise_not,
                 "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift}
    for name, function in operators.items():
        setattr(Tensor, name, function)
        if name != "__invert__":
            setattr(Tensor, "__r" + name[2:], _reflected(function))
            setattr(Tensor, "__i" + name[2:], _inplace("__i" + name[2:], function))


__all__ = ["bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
           "gcd", "lcm", "nextafter"]

install()
