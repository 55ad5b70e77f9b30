"""``dropout_apply``: ``x`` scaled by ``1/(1-p)`` where a uniform draw ``u ≥ p``, else 0.

Composed (compare, cast, two multiplies) a dropout cost four graph nodes per
call beside its draw, and a GPT step makes seven. Fused, the forward is two
passes over ``x``; the map is linear in ``x`` with the same mask, so the VJP is
the primitive itself applied to the gradient (and so is every higher order).
"""
from __future__ import annotations

from .core import Primitive, primitive
from .rules import elementwise


@primitive
class DropoutApply(Primitive):
    """``x · [u ≥ p] / (1 - p)`` for ``0 ≤ p < 1``; ``u`` (no gradient) holds uniform draws."""

    name = "dropout_apply"

    @staticmethod
    def forward(xp, x, u, p):
        scaled = xp.multiply(x, 1.0 / (1.0 - p))  # a Python float: computed in x's dtype (NumPy 2 rules)
        keep = xp.greater_equal(u, p)
        if scaled.ndim and scaled.shape == keep.shape:  # else 0-d (a scalar) or broadcast under vmap
            return xp.multiply(scaled, keep, out=scaled)
        return scaled * keep

    @staticmethod
    def abstract(x, u, p):
        shape, _ = elementwise("dropout")(x, u)
        return shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        (p,) = ctx.attrs
        grad = bind(DropoutApply, (g, ctx.inputs[1]), (p,))
        shape = tuple(ctx.inputs[0].shape)  # a draw broadcast against x (vmap's randomness='same')
        return (grad if tuple(grad.shape) == shape else F.sum_to(grad, shape)), None


def _batch_rule(inputs, batched, attrs, size):
    from .batching import elementwise_rule  # imported on first use: batching needs the whole table
    return elementwise_rule(DropoutApply)(inputs, batched, attrs, size)


DropoutApply.batch = _batch_rule

from .core import bind  # noqa: E402
from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
