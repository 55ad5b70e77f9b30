"""Reduction primitives: sum, amax/amin, prod, argmax/argmin, cumsum, all/any.

``axes`` is ``None`` (reduce everything) or a tuple of non-negative axes;
the public wrappers normalise PyTorch's ``dim`` argument into it.
"""
from __future__ import annotations

import numpy

from .core import Primitive, primitive
from .rules import reduced_shape


def _expand_back(ctx, g):
    """Reshape a reduced gradient so it broadcasts against the reduction's input."""
    x = ctx.inputs[0]
    axes, keepdims = ctx.attrs[0], ctx.attrs[1]
    if not keepdims and axes is not None:  # a reduction over everything gave a 0-d g: it broadcasts as is
        g = F.reshape(g, reduced_shape(x.shape, axes, True))
    return g


class _Reduction(Primitive):
    @staticmethod
    def abstract(x, axes, keepdims):
        return reduced_shape(x.shape, axes, keepdims), x.dtype


@primitive
class Sum(_Reduction):
    """Sum over ``axes``."""

    name = "sum"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, axes, keepdims):
        return xp.add.reduce(x, axis=axes, keepdims=keepdims)  # skips NumPy's Python-level wrapper

    @staticmethod
    def vjp(ctx, g):
        return (F.broadcast_to(_expand_back(ctx, g), ctx.inputs[0].shape),)


def _extremum_vjp(ctx, g):
    x = ctx.inputs[0]
    out = _expand_back(ctx, ctx.output)
    hits = F.cast(x == out, g.dtype)
    # PyTorch's amax/amin split the gradient evenly between tied maxima
    count = F.sum(hits, dim=ctx.attrs[0], keepdim=True)
    return (hits * (_expand_back(ctx, g) / count),)


@primitive
class Amax(_Reduction):
    """Maximum over ``axes``."""

    name = "amax"
    saves_output = True

    @staticmethod
    def forward(xp, x, axes, keepdims):
        if xp is not numpy:  # CuPy's maximum has no reduce
            return xp.amax(x, axis=axes, keepdims=keepdims)
        return xp.maximum.reduce(x, axis=axes, keepdims=keepdims)  # skips NumPy's Python-level wrapper

    vjp = staticmethod(_extremum_vjp)


@primitive
class Amin(_Reduction):
    """Minimum over ``axes``."""

    name = "amin"
    saves_output = True

    @staticmethod
    def forward(xp, x, axes, keepdims):
        if xp is not numpy:  # CuPy's minimum has no reduce
            return xp.amin(x, axis=axes, keepdims=keepdims)
        return xp.minimum.reduce(x, axis=axes, keepdims=keepdims)  # skips NumPy's Python-level wrapper

    vjp = staticmethod(_extremum_vjp)


@primitive
class Prod(_Reduction):
    """Product over ``axes``; its gradient is exact where inputs are zero, as in PyTorch."""

    name = "prod"
    saves_output = True

    @staticmethod
    def forward(xp, x, axes, keepdims):
        return xp.multiply.reduce(x, axis=axes, keepdims=keepdims)  # skips NumPy's Python-level wrapper

    @staticmethod
    def vjp(ctx, g):
        # Each element's gradient is the product of all the others. Where x != 0 that is
        # output / x, which keeps the right derivative even when another element is 0.
        # At a zero it is (product of the non-zero elements) * (product of the other zeros);
        # the latter is 1 for a lone zero, 0 for three or more, and for exactly two the
        # other zero's value, written (sum of the zeros) - x so that double backward sees
        # it depend on the other zero and not on x itself.
        x, axes = ctx.inputs[0], ctx.attrs[0]
        zero = x == 0
        safe = F.where(zero, 1, x)
        zeros = F.sum(zero, axes, keepdim=True)
        other_zero = F.sum(F.where(zero, x, 0), axes, keepdim=True) - x
        other_zeros = F.where(zeros == 1, 1, F.where(zeros == 2, other_zero, 0))
        at_zero = F.prod(safe, axes, keepdim=True) * other_zeros
        others = F.where(zero, at_zero, _expand_back(ctx, ctx.output) / safe)
        return (_expand_back(ctx, g) * others,)


class _IndexReduction(Primitive):
    differentiable = False
    saves_inputs = False

    @staticmethod
    def abstract(x, axis, keepdims):
        axes = None if axis is None else (axis,)
        return reduced_shape(x.shape, axes, keepdims), numpy.dtype(numpy.int64)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


@primitive
class Argmax(_IndexReduction):
    """Index of the (first) maximum along ``axis`` (``None``: of the flattened input)."""

    name = "argmax"

    @staticmethod
    def forward(xp, x, axis, keepdims):
        return xp.argmax(x, axis=axis, keepdims=keepdims)


@primitive
class Argmin(_IndexReduction):
    """Index of the (first) minimum along ``axis``."""

    name = "argmin"

    @staticmethod
    def forward(xp, x, axis, keepdims):
        return xp.argmin(x, axis=axis, keepdims=keepdims)


class _BoolReduction(_Reduction):
    differentiable = False
    saves_inputs = False

    @staticmethod
    def abstract(x, axes, keepdims):
        return reduced_shape(x.shape, axes, keepdims), numpy.dtype(bool)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


@primitive
class All(_BoolReduction):
    """True where every element along ``axes`` is non-zero."""

    name = "all"

    @staticmethod
    def forward(xp, x, axes, keepdims):
        return xp.all(x, axis=axes, keepdims=keepdims)


@primitive
class Any(_BoolReduction):
    """True where some element along ``axes`` is non-zero."""

    name = "any"

    @staticmethod
    def forward(xp, x, axes, keepdims):
        return xp.any(x, axis=axes, keepdims=keepdims)


@primitive
class Cumsum(Primitive):
    """Running sum along ``axis``."""

    name = "cumsum"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, axis):
        return xp.cumsum(x, axis=axis)

    @staticmethod
    def abstract(x, axis):
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        axis = ctx.attrs[0]
        return (F.flip(F.cumsum(F.flip(g, (axis,)), axis), (axis,)),)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
