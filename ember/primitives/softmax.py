"""``softmax`` and ``log_softmax`` over a tuple of axes, each one fused primitive.

Composed (max, subtract, exp, sum, divide) a softmax cost five graph nodes and
about ten dispatched operations in backward; an attention layer calls it once
per step and ``cross_entropy`` calls ``log_softmax``. Fused, the forward is a
few in-place passes over one buffer, and each VJP reads the saved output:

- softmax ``y``: ``dx = y · (g − Σ g·y)``;
- log_softmax ``y``: ``dx = g − exp(y) · Σ g``

(sums over the softmax axes), written in Ember ops so they differentiate again.
float16 inputs are computed in float32 and rounded once, as PyTorch's CPU kernels do.
"""
from __future__ import annotations

import numpy

from .core import Primitive, primitive
from .rules import same_as_input


def _shifted(xp, x, axes):
    """``x - max(x)`` over ``axes`` in a fresh buffer (float32 for float16 input)."""
    work = x.astype(numpy.float32) if x.dtype == numpy.float16 else x
    return xp.subtract(work, xp.max(work, axis=axes, keepdims=True))


def _batch_rule(prim):
    """vmap: the softmax axes move one place right, past the batch axis."""
    def rule(inputs, batched, attrs, size):
        from .core import bind
        (x,), (axes,) = inputs, attrs
        return bind(prim, (x,), (tuple(axis + 1 for axis in axes),))
    return rule


# The forwards are module functions (not methods calling their class) so that the standalone
# NumPy export can copy them: they recurse by their own names.
def _softmax_forward(xp, x, axes):
    if x.size == 0 or x.ndim == 0:  # 0-d: NumPy's ufuncs give scalars, which take no out=
        return x.copy() if x.size == 0 else _softmax_forward(xp, x.reshape(1), (0,)).reshape(())
    out = _shifted(xp, x, axes)
    xp.exp(out, out=out)
    xp.divide(out, xp.sum(out, axis=axes, keepdims=True), out=out)
    return out.astype(x.dtype, copy=False)


def _log_softmax_forward(xp, x, axes):
    if x.size == 0 or x.ndim == 0:
        return x.copy() if x.size == 0 else _log_softmax_forward(xp, x.reshape(1), (0,)).reshape(())
    out = _shifted(xp, x, axes)
    total = xp.sum(xp.exp(out), axis=axes, keepdims=True)
    xp.subtract(out, xp.log(total, out=total), out=out)
    return out.astype(x.dtype, copy=False)


@primitive
class Softmax(Primitive):
    """``exp(x) / Σ exp(x)`` over ``axes`` (a tuple of non-negative axes), shifted by the maximum."""

    name = "softmax"
    saves_inputs = False
    saves_output = True

    forward = staticmethod(_softmax_forward)
    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        (axes,) = ctx.attrs
        y = ctx.output
        return (y * (g - F.sum(g * y, axes, keepdim=True)),)


@primitive
class LogSoftmax(Primitive):
    """``x - max - log Σ exp(x - max)`` over ``axes``: exact for large inputs, never overflows."""

    name = "log_softmax"
    saves_inputs = False
    saves_output = True

    forward = staticmethod(_log_softmax_forward)
    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        (axes,) = ctx.attrs
        return (g - F.exp(ctx.output) * F.sum(g, axes, keepdim=True),)


Softmax.batch = _batch_rule(Softmax)
LogSoftmax.batch = _batch_rule(LogSoftmax)

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
