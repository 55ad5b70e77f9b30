"""The exact (erf) GELU, ``x · Φ(x)``, and its derivative ``Φ(x) + x · φ(x)``, as primitives.

Composed, a GELU was five graph nodes and about ten backward operations (the
erf's own VJP among them). Fused, the forward is one erf and three in-place
passes, and the VJP is ``g · gelu_derivative(x)``: two operations. The
derivative is a primitive too, so its VJP (``g · φ(x) · (2 - x²)``, in Ember
ops) gives second and higher orders. The tanh approximation stays composed.
"""
from __future__ import annotations

import math

from .core import Primitive, primitive
from .device_kernels import special
from .elementwise import _erf
from .rules import same_as_input

_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _half_one_plus_erf(xp, x):
    """``(1 + erf(x / √2)) / 2`` (Φ(x)) in a fresh buffer."""
    scaled = xp.multiply(x, _SQRT_HALF)
    cdf = xp.asarray(special(xp, "erf", _erf, scaled, operand=scaled))
    xp.add(cdf, 1.0, out=cdf)
    return xp.multiply(cdf, 0.5, out=cdf)


def _elementwise_batching(prim):
    def rule(inputs, batched, attrs, size):
        from .batching import elementwise_rule  # on first use: batching needs the whole table
        return elementwise_rule(prim)(inputs, batched, attrs, size)
    return rule


@primitive
class Gelu(Primitive):
    """``x · Φ(x)`` with Φ the standard normal CDF (PyTorch's ``gelu(approximate='none')``)."""

    name = "gelu"

    @staticmethod
    def forward(xp, x):
        if x.ndim == 0:  # NumPy's ufuncs give 0-d operands scalars, which take no out=
            return Gelu.forward(xp, x.reshape(1)).reshape(())
        cdf = _half_one_plus_erf(xp, x)
        return xp.multiply(cdf, x, out=cdf)

    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        return (g * bind(GeluDerivative, (ctx.inputs[0],)),)


@primitive
class GeluDerivative(Primitive):
    """``Φ(x) + x · φ(x)``, the derivative of :class:`Gelu` (φ the standard normal density)."""

    name = "gelu_derivative"

    @staticmethod
    def forward(xp, x):
        if x.ndim == 0:
            return GeluDerivative.forward(xp, x.reshape(1)).reshape(())
        density = xp.multiply(x, x)
        xp.multiply(density, -0.5, out=density)
        xp.exp(density, out=density)
        xp.multiply(density, x, out=density)
        xp.multiply(density, _INV_SQRT_2PI, out=density)
        return xp.add(density, _half_one_plus_erf(xp, x), out=density)

    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        x = ctx.inputs[0]
        density = F.exp(x * x * -0.5) * _INV_SQRT_2PI
        return (g * density * (2.0 - x * x),)


Gelu.batch = _elementwise_batching(Gelu)
GeluDerivative.batch = _elementwise_batching(GeluDerivative)

from .core import bind  # noqa: E402
from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
