"""Inverse trigonometric and hyperbolic functions, and angle conversions (PyTorch's names and aliases)."""
from __future__ import annotations

import math

from ..primitives import trigonometry as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _binary, _float


def _float_unary(prim, doc):
    def function(input) -> Tensor:
        return bind(prim, (_float(input),))
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


asin = arcsin = _float_unary(P.asin, "Inverse sine.")
acos = arccos = _float_unary(P.acos, "Inverse cosine.")
atan = arctan = _float_unary(P.atan, "Inverse tangent.")
sinh = _float_unary(P.sinh, "Hyperbolic sine.")
cosh = _float_unary(P.cosh, "Hyperbolic cosine.")
asinh = arcsinh = _float_unary(P.asinh, "Inverse hyperbolic sine.")
acosh = arccosh = _float_unary(P.acosh, "Inverse hyperbolic cosine.")
atanh = arctanh = _float_unary(P.atanh, "Inverse hyperbolic tangent.")


def atan2(input, other) -> Tensor:
    """The angle of ``(other, input)`` in (-pi, pi], i.e. ``atan(input / other)`` in the right quadrant.

    Example:
        >>> import ember
        >>> round(ember.atan2(ember.tensor(1.0), ember.tensor(-1.0)).item(), 4)
        2.3562
    """
    return _binary(P.Atan2, _float(input), other)


arctan2 = atan2


def deg2rad(input) -> Tensor:
    """Degrees to radians."""
    return _float(input) * (math.pi / 180)


def rad2deg(input) -> Tensor:
    """Radians to degrees."""
    return _float(input) * (180 / math.pi)
