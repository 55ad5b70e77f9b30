"""The random-draw primitive: every draw from a generator, eager or compiled, runs here.

A primitive so that a traced function draws at run time, in order, from the
same generator eager code uses (``generator=None``: the default generator of
``ember.ops.random``, looked up at each draw, so ``manual_seed`` and a new
default reach compiled code too), and compiled and eager runs match under
one seed. ``effect``: a draw must run even when unused, and two draws are
never merged, folded or fused.
"""
from __future__ import annotations

import numpy

from ..errors import DTypeError
from . import gamma_kernels
from .core import Primitive, primitive

# method -> how it is called on a numpy.random.Generator with the draw's shape and parameters
_FLOAT_METHODS = ("random", "standard_normal")


def _numpy_generator(generator):
    return (generator or _random.default_generator).numpy


def _sample(source, method, shape, dtype, params):
    if method in _FLOAT_METHODS:
        draw_dtype = numpy.float64 if dtype == numpy.float16 else dtype  # NumPy draws no float16
        return getattr(source, method)(shape, dtype=draw_dtype)
    if method == "integers":  # params: (low, high)
        return source.integers(params[0], params[1], size=shape)
    if method == "permutation":  # params: (n,)
        return source.permutation(params[0])
    raise ValueError(f"random: unknown draw method {method!r}")


@primitive
class RandomDraw(Primitive):
    """Samples from a generator: ``method`` is ``'random'`` (uniform [0, 1)), ``'standard_normal'``,
    ``'integers'`` (``params = (low, high)``) or ``'permutation'`` (``params = (n,)``)."""

    name = "random"
    saves_inputs = False
    differentiable = False
    effect = True

    @staticmethod
    def forward(xp, generator, method, shape, dtype, params=()):
        draw = _sample(_numpy_generator(generator), method, shape, dtype, params)
        return xp.asarray(draw.astype(dtype, copy=False))  # drawn on the host: one stream for every device

    @staticmethod
    def abstract(generator, method, shape, dtype, params=()):
        return tuple(shape), numpy.dtype(dtype)

    @staticmethod
    def vjp(ctx, grad):
        return ()


def _host(array):
    from ..backend.namespaces import backend_of
    return backend_of(array).to_numpy(array)


@primitive
class StandardGamma(Primitive):
    """Gamma(alpha, 1) draws in alpha's shape and dtype, differentiable in alpha by implicit
    reparameterisation: holding the draw's CDF level fixed, ``dz/dalpha = -(dF/dalpha)/(dF/dz)``
    (the ``standard_gamma_grad`` primitive), as PyTorch's ``_standard_gamma``."""

    name = "standard_gamma"
    saves_output = True
    effect = True
    draws = True  # under vmap, follows the randomness modes (ember/func/vmap.py)

    @staticmethod
    def forward(xp, alpha, generator):
        host = alpha if isinstance(alpha, numpy.ndarray) else _host(alpha)
        return xp.asarray(gamma_kernels.standard_gamma(_numpy_generator(generator), host))

    @staticmethod
    def abstract(alpha, generator):
        dtype = numpy.dtype(alpha.dtype)
        if dtype.kind != "f":
            raise DTypeError(f"standard_gamma: expected a floating-point concentration, got dtype {dtype}")
        return tuple(alpha.shape), dtype

    @staticmethod
    def vjp(ctx, grad):
        return (grad * _functions.standard_gamma_grad(ctx.inputs[0], ctx.output),)


from ..ops import functions as _functions  # noqa: E402  (the VJP is written in the public ops)
from ..ops import random as _random  # noqa: E402  (the default generator, looked up at each draw)
