"""Elementwise arithmetic and float math (``add`` .. ``softplus``, ``clamp``, ``where``, ``clone``)
with PyTorch's scalar and dtype promotion."""
from __future__ import annotations

import math

import numpy

from .. import backend
from ..backend import result_type
from ..errors import DTypeError, EmberValueError
from ..tensor import Tensor
from ..primitives import elementwise as E
from ._operands import _binary, _float, _operand, _promote, _tensor, cast
from .guards import check_integer_divisor
from ..primitives.core import bind
from ..primitives.gelu import Gelu


def add(input, other, *, alpha=1) -> Tensor:
    """``input + alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.add, input, other)


def sub(input, other, *, alpha=1) -> Tensor:
    """``input - alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.sub, input, other)


def mul(input, other) -> Tensor:
    """Elementwise product with broadcasting."""
    return _binary(E.mul, input, other)


def div(input, other, *, rounding_mode=None) -> Tensor:
    """True division (integers give the default float), or ``'floor'``/``'trunc'`` rounding."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        check_integer_divisor("div(rounding_mode='trunc')", input, other)
        quotient = div(input, other)
        result = where(quotient < 0, ceil(quotient), floor(quotient))
        return result if _is_float(input) or _is_float(other) else cast(result, _promote(_operand(input), _operand(other))[1])
    input, other = _operand(input), _operand(other)
    (input, other), dtype = _promote(input, other)
    if dtype.category < 2:  # bool and integer operands divide as the default float
        input = _float(input) if isinstance(input, Tensor) else float(input)
        other = _float(other) if isinstance(other, Tensor) else float(other)
    return _binary(E.div, input, other)


def _is_float(value) -> bool:
    return isinstance(value, float) or isinstance(value, Tensor) and value._data.dtype.kind == "f"


true_divide = div


def floor_divide(input, other) -> Tensor:
    """Division rounded towards negative infinity."""
    check_integer_divisor("floor_divide", input, other)
    return _binary(E.floor_divide, input, other)


def remainder(input, other) -> Tensor:
    """Python-style modulus: the result has the sign of ``other``."""
    check_integer_divisor("remainder", input, other)
    return _binary(E.remainder, input, other)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (broadcast), as PyTorch's ``addcmul``.

    Example:
        >>> import ember
        >>> ember.addcmul(ember.tensor([1.0, 1.0]), ember.tensor([2.0, 3.0]), ember.tensor([4.0, 5.0]), value=0.5)
        tensor([5.0000, 8.5000])
    """
    product = mul(tensor1, tensor2)
    return add(input, product if value == 1 else mul(product, value))


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (broadcast), as PyTorch's ``addcdiv``.

    Example:
        >>> import ember
        >>> ember.addcdiv(ember.tensor([1.0, 1.0]), ember.tensor([2.0, 3.0]), ember.tensor([4.0, 6.0]), value=2)
        tensor([2., 2.])
    """
    quotient = div(tensor1, tensor2)
    return add(input, quotient if value == 1 else mul(quotient, value))


def pow(input, exponent) -> Tensor:
    """``input ** exponent`` with broadcasting; a complex base takes a real Python number as exponent.

    Example:
        >>> import ember
        >>> ember.pow(ember.tensor([1 + 1j]), 2)
        tensor([0.+2.j])
    """
    if type(input) is not Tensor or input._data.dtype.kind != "c" or type(exponent) not in (int, float):
        _refuse_complex("pow", input, exponent)  # complex exponents: not yet
    return _binary(E.pow_, input, exponent)


def maximum(input, other) -> Tensor:
    """Elementwise maximum (ties split the gradient)."""
    _refuse_complex("maximum", input, other)
    return _binary(E.maximum, input, other)


def minimum(input, other) -> Tensor:
    """Elementwise minimum (ties split the gradient)."""
    _refuse_complex("minimum", input, other)
    return _binary(E.minimum, input, other)


def neg(input) -> Tensor:
    return bind(E.neg, (_tensor(input),))


negative = neg


def abs(input) -> Tensor:
    """``|x|``; for complex input the magnitude, a floating tensor.

    Example:
        >>> import ember
        >>> ember.abs(ember.tensor([-1.5, 3 + 4j]))
        tensor([1.5000, 5.0000])
    """
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        from .complex_parts import complex_abs
        return complex_abs(x)
    return bind(E.abs_, (x,))


def sign(input) -> Tensor:
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        _refuse_complex("sign", x)
    return bind(E.sign, (x,))


def square(input) -> Tensor:
    return mul(input, input)


def reciprocal(input) -> Tensor:
    x = _tensor(input)
    return div(1.0, x if x._data.dtype.kind == "c" else _float(x, "reciprocal"))


def _float_unary(prim, doc):
    name = prim.name

    def function(input) -> Tensor:
        return bind(prim, (_float(input, name),))
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


def _holomorphic_unary(prim, doc):
    """Like :func:`_float_unary`, but complex input passes too (its VJP conjugates the derivative)."""
    name = prim.name

    def function(input) -> Tensor:
        x = _tensor(input)
        return bind(prim, (x if x._data.dtype.kind == "c" else _float(x, name),))
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


def exp(input) -> Tensor:
    """Elementwise e**x (also of complex tensors).

    Example:
        >>> import ember, math
        >>> ember.exp(ember.tensor([0.0, 1j * math.pi])).real
        tensor([ 1., -1.])
    """
    x = _tensor(input)
    return bind(E.exp, (x if x._data.dtype.kind == "c" else _float(x, "exp"),))
log = _holomorphic_unary(E.log, "Natural logarithm (also of complex tensors).")
log1p = _float_unary(E.log1p, "log(1 + x), accurate near 0.")
expm1 = _float_unary(E.expm1, "exp(x) - 1, accurate near 0.")
sqrt = _holomorphic_unary(E.sqrt, "Square root (also of complex tensors).")
sin = _holomorphic_unary(E.sin, "Sine (also of complex tensors).")
cos = _holomorphic_unary(E.cos, "Cosine (also of complex tensors).")
tan = _float_unary(E.tan, "Tangent.")
tanh = _holomorphic_unary(E.tanh, "Hyperbolic tangent (also of complex tensors).")
sigmoid = _float_unary(E.sigmoid, "The logistic function 1 / (1 + e**-x), computed without overflow.")
erf = _float_unary(E.erf, "The error function.")


def rsqrt(input) -> Tensor:
    """1 / sqrt(x)."""
    return reciprocal(sqrt(input))


def log2(input) -> Tensor:
    return log(input) / math.log(2.0)


def log10(input) -> Tensor:
    return log(input) / math.log(10.0)


def relu(input) -> Tensor:
    """max(x, 0); its gradient at 0 is 0, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.relu(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        _refuse_complex("relu", x)
    return bind(E.relu, (x,))


def gelu(input, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: exact (erf) or ``approximate='tanh'``."""
    x = _float(input, "gelu")
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + tanh(inner))
    if approximate != "none":
        raise EmberValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return bind(Gelu, (x,))  # one fused primitive: see ember/primitives/gelu.py


def silu(input) -> Tensor:
    """x * sigmoid(x) (a.k.a. swish)."""
    x = _float(input, "silu")
    return x * sigmoid(x)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e**(beta x)) / beta, linear above ``threshold`` as in PyTorch; never overflows."""
    x = _float(input, "softplus")
    scaled = x * beta
    # maximum (not relu) so the gradient at 0 is 1/2: ties split it, as the true derivative says
    smooth = (maximum(scaled, 0.0) + log1p(exp(-abs(scaled)))) / beta
    return where(scaled > threshold, x, smooth)


def floor(input) -> Tensor:
    x = _tensor(input)
    return x if x._data.dtype.kind in "iub" else bind(E.floor, (x,))


def ceil(input) -> Tensor:
    x = _tensor(input)
    return x if x._data.dtype.kind in "iub" else bind(E.ceil, (x,))


def round(input, *, decimals: int = 0) -> Tensor:
    """Round half to even, as PyTorch does; ``decimals`` shifts the rounding position."""
    x = _tensor(input)
    if x._data.dtype.kind in "iub":
        return x
    if decimals:
        scale = 10.0 ** decimals
        return bind(E.round_, (x * scale,)) / scale
    return bind(E.round_, (x,))


def clamp(input, min=None, max=None) -> Tensor:
    """Limit values to [min, max]; the gradient passes where min <= x <= max."""
    if min is None and max is None:
        raise EmberValueError("clamp: at least one of 'min' or 'max' must not be None")
    x = _tensor(input)
    if min is not None:
        x = where(x < min, _bound(min, x), x)
    if max is not None:
        x = where(x > max, _bound(max, x), x)
    return x


def _bound(value, like):
    return cast(value, like.dtype) if isinstance(value, Tensor) else value


clip = clamp


def where(condition, input, other) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (broadcast together)."""
    condition = _tensor(condition)
    if condition._data.dtype != numpy.bool_:
        raise DTypeError(f"where: expected a bool condition, got {condition.dtype}")
    input, other = _operand(input), _operand(other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = result_type([], [], [input, other])
        input = Tensor._make(backend.namespace_of(condition._data).asarray(input, dtype=dtype.numpy), None, False)
    (input, other), _ = _promote(input, other)
    return bind(E.where_p, (condition, input, other))




def clone(input) -> Tensor:
    """A copy that shares no memory (gradients flow back through it)."""
    return bind(E.copy_p, (_tensor(input),))


def _refuse_complex(op, *values):
    """A clear error for a complex operand of ``op`` (the import only happens then)."""
    for value in values:
        if type(value) is complex or isinstance(value, Tensor) and value._data.dtype.kind == "c":
            from .complex_parts import refuse_complex
            refuse_complex(op, value)
