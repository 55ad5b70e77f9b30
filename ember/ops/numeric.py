"""More elementwise math with PyTorch's names: ``lerp``, ``hypot``, ``logaddexp``, ``fmod``,
``copysign``, ``frac``, ``trunc``, ``clamp_min``/``clamp_max``, ``nan_to_num``, ``isclose``,
``signbit``, ``std_mean``.

Most are compositions of existing primitives; ``hypot``, ``fmod`` and ``signbit``
are primitives of their own (:mod:`ember.primitives.special`) because NumPy computes
them exactly where a composition would round or overflow.
"""
from __future__ import annotations

import math

import numpy

from ..errors import DTypeError, EmberValueError
from ..primitives import special as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _binary, _float, _operand, _promote, _tensor, cast
from .guards import check_integer_divisor
from .comparison import isfinite, isinf, isnan, logical_and, logical_or
from .elementwise import abs, ceil, clamp, exp, floor, log1p, maximum, where
from .reduce import mean, std


def lerp(input, end, weight) -> Tensor:
    """``input + weight * (end - input)`` (``weight`` a number or a tensor).

    Example:
        >>> import ember
        >>> ember.lerp(ember.tensor([0.0, 10.0]), ember.tensor([10.0, 20.0]), 0.5).tolist()
        [5.0, 15.0]
    """
    start, end = _tensor(input), _tensor(end)
    if start._data.dtype.kind != "f" or end._data.dtype != start._data.dtype:
        raise DTypeError(f"lerp: expected floating start and end of one dtype, got {start.dtype} and {end.dtype}")
    return start + weight * (end - start)


def hypot(input, other) -> Tensor:
    """``sqrt(input**2 + other**2)`` without overflow.

    Example:
        >>> import ember
        >>> ember.hypot(ember.tensor([3.0]), ember.tensor([4.0])).tolist()
        [5.0]
    """
    return _binary(P.hypot, _float(input), other)


def logaddexp(input, other) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow.

    Example:
        >>> import ember
        >>> ember.logaddexp(ember.tensor([1000.0]), ember.tensor([1000.0]))
        tensor([1000.6932])
    """
    (a, b), _ = _promote(_float(input), _operand(other))
    larger = maximum(a, b)
    gap = -abs(a - b)
    # where both are the same infinity the gap is nan: the answer is that infinity
    same_infinity = logical_and(isinf(a), a == b) if isinstance(b, Tensor) else isinf(a) & (a == b)
    return where(same_infinity, a, larger + log1p(exp(where(same_infinity, 0, gap))))


def logaddexp2(input, other) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""
    ln2 = math.log(2)
    return logaddexp(_float(input) * ln2, _float(other) * ln2 if isinstance(other, Tensor) else other * ln2) / ln2


def clamp_min(input, min) -> Tensor:
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)


def trunc(input) -> Tensor:
    """Round towards zero (no gradient, like ``floor``).

    Example:
        >>> import ember
        >>> ember.trunc(ember.tensor([-1.5, 1.5])).tolist()
        [-1.0, 1.0]
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        return x
    return where(x >= 0, floor(x), ceil(x))


fix = trunc


def frac(input) -> Tensor:
    """The fractional part, ``input - trunc(input)`` (gradient 1).

    Example:
        >>> import ember
        >>> ember.frac(ember.tensor([-1.25, 2.5])).tolist()
        [-0.25, 0.5]
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"frac: expected a floating-point tensor, got {x.dtype}")
    return x - trunc(x)


def fmod(input, other) -> Tensor:
    """C's ``fmod``: the remainder with the sign of ``input`` (``remainder`` takes the divisor's sign).

    Example:
        >>> import ember
        >>> ember.fmod(ember.tensor([-3.0, 3.0]), 2).tolist()
        [-1.0, 1.0]
    """
    x = _tensor(input)
    other = _operand(other)
    if x._data.dtype.kind in "iu":
        check_integer_divisor("fmod", x, other)
    return _binary(P.fmod, x, other)


def copysign(input, other) -> Tensor:
    """``|input|`` with the sign of ``other`` (including the sign of -0.0 and NaN).

    Example:
        >>> import ember
        >>> ember.copysign(ember.tensor([1.0, 2.0]), ember.tensor([-0.0, 3.0])).tolist()
        [-1.0, 2.0]
    """
    x = _float(input)
    other = _operand(other)
    negative = signbit(other) if isinstance(other, Tensor) else numpy.signbit(other)
    magnitude = abs(x)
    result = where(_tensor(negative), -magnitude, magnitude)
    if isinstance(other, Tensor) and other._data.dtype.kind == "f" and other._data.dtype != result._data.dtype:
        (result, _), _ = _promote(result, other)
    return result


def signbit(input) -> Tensor:
    """True where the sign bit is set (negative numbers, -0.0, negative NaN).

    Example:
        >>> import ember
        >>> ember.signbit(ember.tensor([-0.0, 0.0, -2.0])).tolist()
        [True, False, True]
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        return x < 0
    return bind(P.signbit, (x,))


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN, +inf and -inf replaced (by 0, the dtype's largest and its lowest value by default).

    Example:
        >>> import ember
        >>> ember.nan_to_num(ember.tensor([float("nan"), 1.0]))
        tensor([0., 1.])
    """
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        return x.clone()
    info = numpy.finfo(x._data.dtype)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = where(isnan(x), nan, x)
    return where(x == math.inf, posinf, where(x == -math.inf, neginf, x))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities count as close).

    Example:
        >>> import ember
        >>> ember.isclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0 + 1e-9, 2.1])).tolist()
        [True, False]
    """
    (a, b), _ = _promote(_tensor(input), _tensor(other))
    if a._data.dtype.kind == "b":
        return a == b
    if rtol < 0 or atol < 0:
        raise EmberValueError(f"isclose: rtol and atol must be non-negative, got rtol={rtol}, atol={atol}")
    exact = a == b
    if a._data.dtype.kind != "f":
        return logical_or(exact, abs(cast(a, "float64") - cast(b, "float64")) <= atol + rtol * abs(cast(b, "float64")))
    close = logical_and(isfinite(a) & isfinite(b), abs(a - b) <= atol + rtol * abs(b))
    result = logical_or(exact, close)
    if equal_nan:
        result = logical_or(result, isnan(a) & isnan(b))
    return result


def std_mean(input, dim=None, *, correction=1, keepdim: bool = False):
    """``(std, mean)`` over ``dim``.

    Example:
        >>> import ember
        >>> ember.std_mean(ember.tensor([1.0, 3.0]))
        (tensor(1.4142), tensor(2.))
    """
    return std(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)

