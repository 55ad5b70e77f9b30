"""The affine map ``linear``: ``x @ weightᵀ + bias`` as one primitive.

Composed from ``permute``, ``matmul`` and ``add`` it cost three graph nodes and
about eight dispatched operations in backward (each transpose has a VJP of its
own); on the small models of issue 13 (a 10-10-1 MLP, a 32-wide GPT) those
fixed costs were most of a training step. Fused, forward is one GEMM over the
flattened leading axes with the bias added in place, and the VJP is two
matmuls and a sum, written in Ember ops (so it differentiates again).
"""
from __future__ import annotations

import math

from ..errors import DTypeError, ShapeError
from .core import Primitive, primitive
from .linalg import matmul_kernel


@primitive
class Linear(Primitive):
    """``x @ weightᵀ (+ bias)`` over ``x``'s last axis; operands ``(x, weight)`` or ``(x, weight, bias)``."""

    name = "linear"

    @staticmethod
    def forward(xp, x, weight, *bias):
        out = matmul_kernel(xp, x, weight.T)
        if bias:  # the product is a fresh array: adding in place saves a pass and a buffer
            xp.add(out, bias[0], out=out)
        return out

    @staticmethod
    def abstract(x, weight, *bias):
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ShapeError(f"linear: input of shape {x.shape} does not fit weight of shape "
                             f"{weight.shape} (expected a 2-D weight and an input whose last "
                             f"dimension is {weight.shape[-1] if weight.ndim else '?'})")
        if bias and tuple(bias[0].shape) not in ((weight.shape[0],), (1,), ()):
            raise ShapeError(f"linear: bias of shape {bias[0].shape} does not fit weight of shape "
                             f"{weight.shape} (expected ({weight.shape[0]},))")
        dtypes = {x.dtype, weight.dtype, *(b.dtype for b in bias)}
        if len(dtypes) > 1:
            raise DTypeError(f"linear: operands must share one dtype, got "
                             f"{', '.join(str(d) for d in (x.dtype, weight.dtype, *(b.dtype for b in bias)))}")
        return tuple(x.shape[:-1]) + (weight.shape[0],), x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, weight = ctx.inputs[0], ctx.inputs[1]
        grad_x = F.matmul(g, weight) if ctx.wants(0) else None
        wants_weight, wants_bias = ctx.wants(1), len(ctx.inputs) == 3 and ctx.wants(2)
        if not (wants_weight or wants_bias):
            return grad_x, None
        # every leading axis is a row: one (out, rows) @ (rows, in) GEMM gives the weight's gradient
        rows = math.prod(x.shape[:-1])  # not -1: that is ambiguous when a dimension is 0
        flat_g = g if g.ndim == 2 else F.reshape(g, (rows, g.shape[-1]))
        grad_weight = None
        if wants_weight:
            flat_x = x if x.ndim == 2 else F.reshape(x, (rows, x.shape[-1]))
            grad_weight = F.matmul(F.swap_last(flat_g), flat_x)
        if len(ctx.inputs) == 2:
            return grad_x, grad_weight
        if not wants_bias:
            return grad_x, grad_weight, None
        grad_bias = F.sum(flat_g, 0)
        bias_shape = tuple(ctx.inputs[2].shape)  # a broadcast bias (shape (1,) or ()) sums further
        return grad_x, grad_weight, grad_bias if bias_shape == grad_bias.shape else F.sum_to(grad_bias, bias_shape)


def _batch_rule(inputs, batched, attrs, size):
    """``ember.func.vmap``'s rule: a batched input is just more leading rows; per-example
    weights or biases (ensembles) become a batched matmul plus a broadcast add."""
    from .batching import _batched_copy, _reshape
    from .core import PRIMITIVES, bind
    if not any(batched[1:]):
        return bind(Linear, inputs, attrs)
    x, weight, *bias = (v if b else _batched_copy(v, size) for v, b in zip(inputs, batched))
    rows = math.prod(x.shape[1:-1])
    flat = _reshape(x, (size, rows, x.shape[-1]))
    out = bind(PRIMITIVES["matmul"], (flat, bind(PRIMITIVES["permute"], (weight,), ((0, 2, 1),))))
    if bias:
        out = bind(PRIMITIVES["add"], (out, _reshape(bias[0], (size, 1, weight.shape[1]))))
    return _reshape(out, tuple(x.shape[:-1]) + (weight.shape[1],))


Linear.batch = _batch_rule

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
