"""Fused loss primitives, promoted from composites for numerical reasons (DESIGN.md allows it).

``binary_cross_entropy``: ``-(y log x + (1 - y) log(1 - x))`` with each log
clamped below at -100, as PyTorch computes it. As a composite its gradient
at ``x`` exactly 0 or 1 came out 0 (the clamp cuts the path), so a
confidently wrong prediction got no gradient; PyTorch's rule, used here, is
``grad (x - y) / max(x (1 - x), 1e-12)``: about ±1e12 there.

``mse_loss``: ``(x - y)²``, reduced by its ``reduction`` attribute, promoted
for speed: composed (subtract, multiply, sum, divide) it was four graph nodes
and seven backward operations, most of a small MLP's loss cost (issue 13's
10-10-1 workload); fused it is one node, and its VJP ``2 g (x - y) / n`` three.
"""
from __future__ import annotations

import numpy

from .core import Primitive, primitive
from .rules import elementwise

_LOG_FLOOR = -100.0   # PyTorch's clamp of log(x) and log(1 - x)
_EPSILON = 1e-12      # PyTorch's floor of x (1 - x) in the gradient


def _clamped_log(xp, values):
    if xp is numpy:
        with numpy.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            return numpy.maximum(numpy.log(values), _LOG_FLOOR)
    return xp.maximum(xp.log(values), _LOG_FLOOR)


@primitive
class BinaryCrossEntropy(Primitive):
    """Elementwise binary cross entropy of probabilities ``x`` against targets ``y`` (one dtype)."""

    name = "binary_cross_entropy"

    @staticmethod
    def forward(xp, x, y):
        return -(y * _clamped_log(xp, x) + (1 - y) * _clamped_log(xp, 1 - x))

    abstract = staticmethod(elementwise("binary_cross_entropy"))

    @staticmethod
    def vjp(ctx, grad):
        x, y = ctx.inputs
        grad_x = grad_y = None
        if ctx.wants(0):
            grad_x = grad * (x - y) / F.clamp(x * (1 - x), min=_EPSILON)
        if ctx.wants(1):  # d/dy = log(1 - x) - log(x), with the forward's clamps
            grad_y = grad * (_log_of(1 - x) - _log_of(x))
        return grad_x, grad_y


def _log_of(values):
    """log clamped at -100 in Ember ops, without evaluating log(0)."""
    positive = values > 0
    return F.where(positive, F.clamp(F.log(F.where(positive, values, 1.0)), min=_LOG_FLOOR), _LOG_FLOOR)


@primitive
class MseLoss(Primitive):
    """Squared error of same-shaped, same-dtype ``x`` and ``y``; ``reduction`` is 'mean', 'sum' or 'none'."""

    name = "mse_loss"

    @staticmethod
    def forward(xp, x, y, reduction):
        squared = xp.subtract(x, y)
        if squared.ndim == 0:  # NumPy gives 0-d operands a scalar, which takes no out=
            squared = squared * squared
        else:
            xp.multiply(squared, squared, out=squared)
        if reduction == "none":
            return squared
        if reduction == "mean" and squared.size == 0:  # PyTorch's nan, without NumPy's warning
            return xp.full((), numpy.nan, dtype=squared.dtype)
        return xp.mean(squared) if reduction == "mean" else xp.sum(squared)

    @staticmethod
    def abstract(x, y, reduction):
        shape, dtype = elementwise("mse_loss")(x, y)
        return (shape if reduction == "none" else ()), dtype

    @staticmethod
    def vjp(ctx, grad):
        x, y = ctx.inputs
        (reduction,) = ctx.attrs
        scale = grad * 2.0
        if reduction == "mean":
            count = x.numel()  # symbolic while tracing with a symbolic batch: keep it on the tensor side,
            # since `float / Dim` runs float's own division and silently specialises
            scale = scale / (count if type(count) is not int or count else 1)
        grad_x = (x - y) * scale
        return (grad_x if ctx.wants(0) else None), (-grad_x if ctx.wants(1) else None)


def _mse_batch_rule(inputs, batched, attrs, size):
    """vmap: the squared error per example, then each example's own reduction."""
    from .batching import elementwise_rule
    squared = elementwise_rule(MseLoss)(inputs, batched, ("none",), size)
    (reduction,) = attrs
    if reduction == "none":
        return squared
    total = F.sum(squared, tuple(range(1, squared.ndim)))
    return total / max(squared[0].numel(), 1) if reduction == "mean" else total


MseLoss.batch = _mse_batch_rule

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
