"""``layer_norm``: normalise over the trailing axes, then scale and shift, as one primitive.

Composed from means, a variance, ``rsqrt`` and the affine terms, a layer norm cost
about a dozen graph nodes and some thirty dispatched operations in backward (a
GPT step makes five). Fused, the forward is a few passes over NumPy buffers,
and the VJP recomputes the normalised input with Ember ops and applies the
closed form ``dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))`` with ``ĝ = g · weight``
(means over the normalised axes), so it differentiates again. float16 inputs
are normalised in float32 and rounded once, as PyTorch does.

Operands: ``(x,)`` or ``(x, weight, bias)``; attributes: how many trailing axes
are normalised, and ``eps``.
"""
from __future__ import annotations

import numpy

from ..backend import float32
from ..errors import ShapeError
from .core import Primitive, primitive


def _trailing(ndim: int, count: int) -> tuple:
    return tuple(range(ndim - count, ndim))


@primitive
class LayerNorm(Primitive):
    """``(x - mean) / sqrt(var + eps) · weight + bias`` over the last ``count`` axes (biased variance)."""

    name = "layer_norm"

    @staticmethod
    def forward(xp, x, *affine_and_attrs):
        *affine, count, eps = affine_and_attrs  # count >= 1 (ember.nn.functional.layer_norm checks)
        axes = _trailing(x.ndim, count)
        work = x.astype(numpy.float32) if x.dtype == numpy.float16 else x
        if work.size == 0:
            return work.astype(x.dtype)
        out = xp.subtract(work, xp.mean(work, axis=axes, keepdims=True))
        deviation = xp.mean(xp.square(out), axis=axes, keepdims=True)
        xp.add(deviation, eps, out=deviation)
        xp.sqrt(deviation, out=deviation)
        xp.divide(out, deviation, out=out)
        if affine:
            xp.multiply(out, affine[0], out=out)
            xp.add(out, affine[1], out=out)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def abstract(x, *affine_and_attrs):
        *affine, count, eps = affine_and_attrs
        normalized = tuple(x.shape[x.ndim - count:]) if count else ()
        if count > x.ndim or any(tuple(t.shape) != normalized for t in affine):
            raise ShapeError(f"layer_norm: input of shape {x.shape} with weight/bias of shapes "
                             f"{[tuple(t.shape) for t in affine]} (expected the input's last {count} "
                             f"dimensions, {normalized})")
        return tuple(x.shape), x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, *affine = ctx.inputs
        count, eps = ctx.attrs
        axes = _trailing(x.ndim, count)
        work = _as(x, float32) if x._data.dtype == numpy.float16 else x  # as the forward computed it
        gradient = _as(g, work.dtype)
        centered = work - F.mean(work, axes, keepdim=True)
        rstd = F.rsqrt(F.mean(centered * centered, axes, keepdim=True) + eps)
        normalized = centered * rstd
        scaled = gradient * affine[0] if affine else gradient
        grad_x = None
        if ctx.wants(0):
            correction = (F.mean(scaled, axes, keepdim=True)
                          + normalized * F.mean(scaled * normalized, axes, keepdim=True))
            grad_x = _as(rstd * (scaled - correction), x.dtype)
        if not affine:
            return (grad_x,)
        lead = tuple(range(x.ndim - count))
        grad_weight = _as(_sum(gradient * normalized, lead), x.dtype) if ctx.wants(1) else None
        grad_bias = _as(_sum(gradient, lead), x.dtype) if ctx.wants(2) else None
        return grad_x, grad_weight, grad_bias


def _as(tensor, dtype):
    return tensor if tensor.dtype == dtype else F.cast(tensor, dtype)


def _sum(tensor, axes):
    """The sum over the leading ``axes`` (none for a single sample: an empty tuple means all to F.sum)."""
    return F.sum(tensor, axes) if axes else tensor


def _batch_rule(inputs, batched, attrs, size):
    """vmap: normalising trailing axes ignores a leading batch axis; batched affine terms
    (per-example weights) are applied after, lined up behind the batch axis."""
    from .batching import _reshape
    from .core import PRIMITIVES, bind
    x, *affine = inputs
    if not any(batched[1:]):
        return bind(LayerNorm, tuple(inputs), attrs)
    out = bind(LayerNorm, (x,), attrs)
    lead = x.ndim - 1 - attrs[0] if batched[0] else x.ndim - attrs[0]
    for term, is_batched, op in zip(affine, batched[1:], ("mul", "add")):
        if is_batched:
            term = _reshape(term, (size,) + (1,) * lead + tuple(term.shape[1:]))
        out = bind(PRIMITIVES[op], (out, term))
    return out


LayerNorm.batch = _batch_rule

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
