"""Inverse trigonometric and hyperbolic primitives: ``asin``, ``acos``, ``atan``, ``atan2``,
``sinh``, ``cosh``, ``asinh``, ``acosh``, ``atanh``; each VJP is its derivative in Ember ops."""
from __future__ import annotations

from .core import Primitive, primitive
from .rules import elementwise, same_as_input


def _unary(name, ufunc, derivative):
    cls = type(name.capitalize(), (Primitive,), {
        "name": name, "forward": staticmethod(lambda xp, x: getattr(xp, ufunc)(x)),
        "abstract": staticmethod(same_as_input),
        "vjp": staticmethod(lambda ctx, g: (g * derivative(ctx.inputs[0]),)),
        "__doc__": f"Elementwise {name}."})
    return primitive(cls)


asin = _unary("asin", "arcsin", lambda x: F.rsqrt(1 - x * x))
acos = _unary("acos", "arccos", lambda x: -F.rsqrt(1 - x * x))
atan = _unary("atan", "arctan", lambda x: 1 / (1 + x * x))
sinh = _unary("sinh", "sinh", lambda x: F.cosh(x))
cosh = _unary("cosh", "cosh", lambda x: F.sinh(x))
asinh = _unary("asinh", "arcsinh", lambda x: F.rsqrt(x * x + 1))
acosh = _unary("acosh", "arccosh", lambda x: F.rsqrt(x * x - 1))
atanh = _unary("atanh", "arctanh", lambda x: 1 / (1 - x * x))


@primitive
class Atan2(Primitive):
    """The angle of the point ``(x, y)``: ``atan2(y, x)`` with broadcasting."""

    name = "atan2"

    @staticmethod
    def forward(xp, y, x):
        return xp.arctan2(y, x)

    abstract = staticmethod(elementwise("atan2"))

    @staticmethod
    def vjp(ctx, g):
        y, x = ctx.inputs
        scale = g / (x * x + y * y)
        return (scale * x if ctx.wants(0) else None), (-scale * y if ctx.wants(1) else None)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
