"""Sorting and running-selection primitives.

The ops that return values *and* indices (``sort``, ``topk``, ``cummax``,
``kthvalue``, ``median``, ``mode``) are built from one integer primitive here
that finds the indices, followed by ``gather`` (``take_along_axis``), whose VJP
already scatters gradients back. So no gradient code is written for them: the
indices carry none, and the values get theirs from ``gather``.

``cumprod`` and ``logcumsumexp`` are differentiable scans with their own VJPs.
"""
from __future__ import annotations

import math

import numpy

from ..errors import DTypeError, ShapeError
from .core import Primitive, primitive
from .device_kernels import ufunc_accumulate


class _IndexPrimitive(Primitive):
    """An integer result: never differentiable, reads no saved values."""

    saves_inputs = False
    differentiable = False

    @staticmethod
    def vjp(ctx, g):
        return (None,) * len(ctx.inputs)


@primitive
class Argsort(_IndexPrimitive):
    """The permutation that sorts ``x`` along ``axis`` (NaN counts as the largest value, as in PyTorch).

    Always stable: ties keep their order (descending too), which is also what
    PyTorch's ``stable=True`` promises.
    """

    name = "argsort"

    @staticmethod
    def forward(xp, x, axis, descending):
        if not descending:
            return xp.argsort(x, axis=axis, kind="stable").astype(xp.int64, copy=False)
        # sort the reversed data stably, then reverse back: descending order with ties in
        # their original order, and NaN (last when ascending) first, as PyTorch puts it
        size = x.shape[axis]
        reversed_order = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
        return (size - 1 - xp.flip(reversed_order, axis)).astype(xp.int64, copy=False)

    @staticmethod
    def abstract(x, axis, descending):
        return x.shape, numpy.dtype(numpy.int64)


@primitive
class CumExtremumIndex(_IndexPrimitive):
    """For each position along ``axis``, where the running max (``'max'``) or min so far sits.

    Ties point at the latest position, as PyTorch's ``cummax``/``cummin`` do; a NaN,
    once seen, stays the running extremum.
    """

    name = "cum_extremum_index"

    @staticmethod
    def forward(xp, x, axis, which):
        if x.shape[axis] == 0:
            return xp.zeros(x.shape, xp.int64)
        running = ufunc_accumulate(xp, "maximum" if which == "max" else "minimum", x, axis)
        positions = xp.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        # a position takes over where it equals the running extremum (so ties go to the latest) or is
        # NaN (which then stays the extremum: NaN compares unequal, so later values never take over)
        takes_over = (x == running) | (x != x)
        return ufunc_accumulate(xp, "maximum", xp.where(takes_over, positions, 0), axis).astype(xp.int64)

    @staticmethod
    def abstract(x, axis, which):
        return x.shape, numpy.dtype(numpy.int64)


@primitive
class ModeIndex(_IndexPrimitive):
    """Where the most frequent value along ``axis`` last occurs (ties: the smallest value), kept dims."""

    name = "mode_index"

    @staticmethod
    def forward(xp, x, axis):
        moved = xp.moveaxis(x, axis, -1)
        rows = moved.reshape(-1, moved.shape[-1])
        out = xp.zeros(rows.shape[0], xp.int64)
        for row_number, row in enumerate(rows):
            values, counts = xp.unique(row, return_counts=True)
            value = values[xp.argmax(counts)]  # unique sorts: argmax finds the smallest of the most frequent
            out[row_number] = xp.nonzero(row == value)[0][-1] if value == value else xp.argmax(xp.isnan(row))
        return xp.expand_dims(out.reshape(moved.shape[:-1]), axis)

    @staticmethod
    def abstract(x, axis):
        if x.shape[axis] == 0:
            raise ShapeError(f"mode: cannot take the mode over dimension {axis} of size 0 (shape {x.shape})")
        return x.shape[:axis] + (1,) + x.shape[axis + 1:], numpy.dtype(numpy.int64)


@primitive
class Searchsorted(_IndexPrimitive):
    """Insertion points of ``values`` in ``sorted_sequence`` along the last axis.

    ``sorted_sequence`` is 1-D, or has the leading dimensions of ``values``
    (one sorted row per batch entry), as in PyTorch.
    """

    name = "searchsorted"

    @staticmethod
    def forward(xp, sorted_sequence, values, right, dtype):
        side = "right" if right else "left"
        if sorted_sequence.ndim == 1:
            return xp.searchsorted(sorted_sequence, values, side=side).astype(dtype)
        batch = math.prod(sorted_sequence.shape[:-1])  # explicit sizes: -1 is ambiguous with size-0 dims
        rows = sorted_sequence.reshape(batch, sorted_sequence.shape[-1])
        queries = values.reshape(batch, values.shape[-1])
        out = xp.zeros(queries.shape, xp.int64)
        for number in range(batch):
            out[number] = xp.searchsorted(rows[number], queries[number], side=side)
        return out.reshape(values.shape).astype(dtype)

    @staticmethod
    def abstract(sorted_sequence, values, right, dtype):
        if len(sorted_sequence.shape) > 1 and sorted_sequence.shape[:-1] != values.shape[:-1]:
            raise ShapeError(
                f"searchsorted: boundaries of shape {sorted_sequence.shape} and input of shape {values.shape} "
                "must have the same leading dimensions (all but the last), or the boundaries must be 1-D")
        return values.shape, numpy.dtype(dtype)


def _scan_rule(op):
    def rule(x, axis):
        if x.dtype.kind != "f":
            raise DTypeError(f"{op}: expected a floating-point tensor, got dtype {x.dtype}")
        return x.shape, x.dtype
    return rule


@primitive
class Cumprod(Primitive):
    """Running product along ``axis``."""

    name = "cumprod"

    @staticmethod
    def forward(xp, x, axis):
        return xp.cumprod(x, axis=axis)

    @staticmethod
    def abstract(x, axis):
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_cumprod_grad(ctx.inputs[0], g, ctx.attrs[0]),)


def _cumprod_grad(x, g, axis):
    """d/dx_j of sum_i g_i prod_{k<=i} x_k, exact also where x has zeros.

    Without zeros this is reverse-cumsum(g * out) / x. With zeros that divides by
    zero, so each j instead gets the running product of x with x_j replaced by 1
    (an n-by-n table: fine for the short scans where zeros matter), summed
    against g over i >= j. Both are Ember ops, so the gradient differentiates again.
    """
    from .core import dispatch
    if dispatch.tracer is None and not bool(F.any(x == 0)):
        out = F.cumprod(x, axis)
        return F.flip(F.cumsum(F.flip(g * out, (axis,)), axis), (axis,)) / x
    moved, g_moved = F.movedim(x, axis, -1), F.movedim(g, axis, -1)
    n = moved.shape[-1]
    eye = F.cast(F.eye(n, device=x.device), bool)
    table = F.where(eye, 1, F.unsqueeze(moved, -2))          # [..., j, k]: x_k, or 1 where k == j
    running = F.cumprod(table, -1)                           # [..., j, i]: prod_{k<=i, k!=j} x_k
    upper = F.triu(F.ones(n, n, dtype=x.dtype, device=x.device))              # keep i >= j
    grad = F.sum(running * upper * F.unsqueeze(g_moved, -2), -1)
    return F.movedim(grad, -1, axis)


@primitive
class Logcumsumexp(Primitive):
    """``log(cumsum(exp(x)))`` along ``axis``, without overflow."""

    name = "logcumsumexp"

    @staticmethod
    def forward(xp, x, axis):
        return ufunc_accumulate(xp, "logaddexp", x, axis)

    abstract = staticmethod(_scan_rule("logcumsumexp"))

    @staticmethod
    def vjp(ctx, g):
        # grad_j = sum_{i>=j} g_i exp(x_j - out_i): done in log space for the positive and
        # negative parts of g separately, so that nothing overflows
        x, axis = ctx.inputs[0], ctx.attrs[0]
        out = F.logcumsumexp(x, axis)  # recomputed from x, so that second derivatives see its dependence

        def reverse_scan(values):
            return F.flip(F.logcumsumexp(F.flip(values, (axis,)), axis), (axis,))

        # "log 0" is a very negative finite number rather than -inf: exp still gives exactly 0, and
        # differentiating this rule again never meets inf - inf
        log_zero = float(numpy.finfo(x._data.dtype).min) / 4

        def part(mask):
            logs = F.where(mask, F.log(F.where(mask, F.abs(g), 1)), log_zero)
            return F.exp(reverse_scan(logs - out) + x)
        return (part(g > 0) - part(g < 0),)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
