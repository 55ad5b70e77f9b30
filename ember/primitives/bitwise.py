"""Integer primitives: bitwise and/or/xor/not, bit shifts, ``gcd``, ``lcm``, and ``nextafter``.

None of them is differentiable (their outputs never require grad): the bit operations and the
divisor functions are defined on integers only, and ``nextafter`` is a step to the neighbouring
float, for which PyTorch defines no derivative either. Their shape/dtype rules refuse operands
of the wrong kind (a float for ``bitwise_and``, an integer for ``nextafter``) with an error
naming the op and the dtype, before any array is touched, so traced code fails the same way.
Callers (:mod:`ember.ops.bitwise`) promote the operands to one dtype first, as for arithmetic.
"""
from __future__ import annotations

import numpy

from ..errors import DTypeError
from .core import Primitive, primitive
from .rules import _dtype, elementwise, same_as_input

INTEGER_KINDS = "iu"
INTEGER_OR_BOOL_KINDS = "iub"
FLOAT_KINDS = "f"
KIND_NAMES = {INTEGER_KINDS: "an integer", INTEGER_OR_BOOL_KINDS: "an integer or bool", FLOAT_KINDS: "a floating-point"}


def _checked(name: str, kinds: str, rule):
    """``rule`` after checking every array operand's dtype kind is one of ``kinds``."""
    def checked(*operands):
        for value in operands:
            dtype = _dtype(value)
            if hasattr(value, "shape") and numpy.dtype(dtype).kind not in kinds:
                raise DTypeError(f"{name}: expected {KIND_NAMES[kinds]} tensor, got dtype {numpy.dtype(dtype)}")
        return rule(*operands)
    return checked


def _no_gradient(ctx, grad):
    return (None,) * len(ctx.inputs)


def _integer_op(name: str, forward, kinds: str, arity: int):
    """Build and register a non-differentiable elementwise primitive on ``kinds`` dtypes."""
    rule = same_as_input if arity == 1 else elementwise(name)
    cls = type("".join(part.capitalize() for part in name.split("_")), (Primitive,), {
        "name": name,
        "saves_inputs": False,
        "differentiable": False,
        "forward": staticmethod(forward),
        "abstract": staticmethod(_checked(name, kinds, rule)),
        "vjp": staticmethod(_no_gradient),
        "__doc__": f"Elementwise {name} ({KIND_NAMES[kinds]} dtype; not differentiable).",
    })
    return primitive(cls)


bitwise_and = _integer_op("bitwise_and", lambda xp, a, b: xp.bitwise_and(a, b), INTEGER_OR_BOOL_KINDS, 2)
bitwise_or = _integer_op("bitwise_or", lambda xp, a, b: xp.bitwise_or(a, b), INTEGER_OR_BOOL_KINDS, 2)
bitwise_xor = _integer_op("bitwise_xor", lambda xp, a, b: xp.bitwise_xor(a, b), INTEGER_OR_BOOL_KINDS, 2)
bitwise_not = _integer_op("bitwise_not", lambda xp, x: xp.invert(x), INTEGER_OR_BOOL_KINDS, 1)
# NumPy's shifts give 0 (left) or the sign (right) for shifts past the width, as PyTorch's do
bitwise_left_shift = _integer_op("bitwise_left_shift", lambda xp, a, b: xp.left_shift(a, b), INTEGER_KINDS, 2)
bitwise_right_shift = _integer_op("bitwise_right_shift", lambda xp, a, b: xp.right_shift(a, b), INTEGER_KINDS, 2)
gcd = _integer_op("gcd", lambda xp, a, b: xp.gcd(a, b), INTEGER_KINDS, 2)
lcm = _integer_op("lcm", lambda xp, a, b: xp.lcm(a, b), INTEGER_KINDS, 2)
nextafter = _integer_op("nextafter", lambda xp, a, b: xp.nextafter(a, b), FLOAT_KINDS, 2)


@primitive
class Bitcast(Primitive):
    """The same bytes read as another dtype (PyTorch's ``Tensor.view(dtype)``): the last axis
    grows or shrinks by the ratio of the item sizes. Not differentiable (bits, not values)."""

    name = "bitcast"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, x, dtype):
        return xp.ascontiguousarray(x).view(dtype)

    @staticmethod
    def abstract(x, dtype):
        source, target = numpy.dtype(x.dtype), numpy.dtype(dtype)
        if source.itemsize == target.itemsize:
            return x.shape, target
        if not x.shape:
            raise DTypeError(f"bitcast: a 0-d {source} tensor cannot be viewed as {target} (item sizes "
                             f"{source.itemsize} and {target.itemsize} differ)")
        last = x.shape[-1] * source.itemsize
        if last % target.itemsize:
            raise DTypeError(f"bitcast: the last dimension ({x.shape[-1]} x {source.itemsize} bytes) of a {source} "
                             f"tensor is not a multiple of {target}'s {target.itemsize} bytes")
        return x.shape[:-1] + (last // target.itemsize,), target

    @staticmethod
    def vjp(ctx, grad):
        return (None,)
