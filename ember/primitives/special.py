"""Elementwise primitives for special functions and exact float arithmetic.

``hypot``, ``fmod`` and ``signbit`` have NumPy kernels. ``erfc``, ``erfinv``,
``gammaln``, ``digamma``, ``polygamma``, ``i0`` and ``i1`` use SciPy when it is
installed (it is in the ``test`` extra, not a core dependency); without it,
``erfc``, ``gammaln`` and ``i0`` fall back to exact scalar kernels from
:mod:`math` and NumPy, and the others raise a clear error naming what is missing.
"""
from __future__ import annotations

import math

import numpy

from ..errors import DTypeError, EmberError
from . import gamma_kernels
from .core import Primitive, primitive
from .device_kernels import special
from .rules import elementwise, same_as_input


def _scipy_special(op):
    try:
        import scipy.special
    except ImportError:  # pragma: no cover - depends on the environment
        raise EmberError(f"{op}: needs SciPy (pip install scipy), which is not installed") from None
    return scipy.special


def _per_element(function):
    """A NumPy kernel from an exact scalar function (the fallback when SciPy is missing)."""
    scalar = numpy.frompyfunc(function, 1, 1)
    return lambda x: numpy.asarray(scalar(x)).astype(x.dtype)


def _kernel(op, scipy_name, fallback=None):
    def run(x):
        try:
            import scipy.special
        except ImportError:  # pragma: no cover - depends on the environment
            if fallback is None:
                _scipy_special(op)
            return fallback(x)
        return getattr(scipy.special, scipy_name)(x).astype(x.dtype, copy=False)
    return run


def _float_rule(op):
    def rule(x, *attrs):
        dtype = getattr(x, "dtype", None)
        if dtype is not None and dtype.kind != "f":
            raise DTypeError(f"{op}: expected a floating-point tensor, got dtype {dtype}")
        return same_as_input(x)
    return rule


def _unary(name, forward, vjp, saves_output=False, differentiable=True):
    cls = type(name.capitalize(), (Primitive,), {
        "name": name, "saves_output": saves_output, "saves_inputs": not saves_output,
        "differentiable": differentiable, "forward": staticmethod(forward),
        "abstract": staticmethod(_float_rule(name)), "vjp": staticmethod(vjp),
        "__doc__": f"Elementwise {name}."})
    return primitive(cls)


_erfc = _kernel("erfc", "erfc", _per_element(math.erfc))
_erfinv = _kernel("erfinv", "erfinv")
_gammaln = _kernel("lgamma", "gammaln", _per_element(math.lgamma))
_digamma = _kernel("digamma", "digamma")
_i0 = _kernel("i0", "i0", numpy.i0)
_i1 = _kernel("i1", "i1")

erfc = _unary("erfc", lambda xp, x: special(xp, "erfc", _erfc, x, operand=x),
              lambda ctx, g: (-g * (2 / math.sqrt(math.pi)) * F.exp(-(ctx.inputs[0] * ctx.inputs[0])),))
erfinv = _unary("erfinv", lambda xp, x: special(xp, "erfinv", _erfinv, x, operand=x),
                lambda ctx, g: (g * (math.sqrt(math.pi) / 2) * F.exp(ctx.output * ctx.output),), saves_output=True)
lgamma = _unary("lgamma", lambda xp, x: special(xp, "gammaln", _gammaln, x, operand=x), lambda ctx, g: (g * F.digamma(ctx.inputs[0]),))
digamma = _unary("digamma", lambda xp, x: special(xp, "digamma", _digamma, x, operand=x), lambda ctx, g: (g * F.polygamma(1, ctx.inputs[0]),))
i0 = _unary("i0", lambda xp, x: special(xp, "i0", _i0, x, operand=x), lambda ctx, g: (g * F.special_i1(ctx.inputs[0]),))


def _i1_vjp(ctx, g):
    # I1'(x) = I0(x) - I1(x) / x, whose limit at 0 is 1/2
    x = ctx.inputs[0]
    safe = F.where(x == 0, 1, x)
    return (g * F.where(x == 0, 0.5, F.i0(x) - F.special_i1(x) / safe),)


i1 = _unary("i1", lambda xp, x: special(xp, "i1", _i1, x, operand=x), _i1_vjp)


@primitive
class Polygamma(Primitive):
    """The ``n``-th derivative of digamma (attribute ``n`` >= 1)."""

    name = "polygamma"

    @staticmethod
    def forward(xp, x, n):
        def host(n, x):
            return _scipy_special("polygamma").polygamma(n, x).astype(x.dtype, copy=False)
        # CuPy's polygamma broadcasts its order with the operand: it must be an array there
        order = n if xp is numpy else xp.asarray(n, dtype=x.dtype)
        return special(xp, "polygamma", host, order, x, operand=x)

    @staticmethod
    def abstract(x, n):
        return _float_rule("polygamma")(x)

    @staticmethod
    def vjp(ctx, g):
        return (g * F.polygamma(ctx.attrs[0] + 1, ctx.inputs[0]),)


def _binary(name, forward, vjp, differentiable=True, rule=None):
    cls = type(name.capitalize(), (Primitive,), {
        "name": name, "differentiable": differentiable, "forward": staticmethod(forward),
        "abstract": staticmethod(rule or elementwise(name)), "vjp": staticmethod(vjp),
        "__doc__": f"Elementwise {name} with broadcasting."})
    return primitive(cls)


def _hypot_vjp(ctx, g):
    a, b = ctx.inputs
    out = F.hypot(a, b)
    return (g * a / out if ctx.wants(0) else None), (g * b / out if ctx.wants(1) else None)


def _fmod_vjp(ctx, g):
    a, b = ctx.inputs
    if not ctx.wants(1):
        return g, None
    return g, -g * F.trunc(a / b)


hypot = _binary("hypot", lambda xp, a, b: xp.hypot(a, b), _hypot_vjp)
fmod = _binary("fmod", lambda xp, a, b: xp.fmod(a, b), _fmod_vjp)


def _signbit_rule(x):
    return same_as_input(x)[0], numpy.dtype(bool)


signbit = _unary("signbit", lambda xp, x: xp.signbit(x), lambda ctx, g: (None,), differentiable=False)
signbit.abstract = staticmethod(_signbit_rule)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)


@primitive
class StandardGammaGrad(Primitive):
    """``dz/dalpha`` of Gamma(alpha, 1) draws ``z`` at fixed CDF level (the VJP of ``standard_gamma``;
    PyTorch's ``_standard_gamma_grad``). Computed in float64 (ember.primitives.gamma_kernels); like
    PyTorch's, it has no derivative of its own."""

    name = "standard_gamma_grad"
    differentiable = False

    @staticmethod
    def forward(xp, alpha, z):
        return special(xp, "standard_gamma_grad", _scipy_kernel(gamma_kernels.standard_gamma_grad,
                                                                "standard_gamma_grad"), alpha, z, operand=alpha)

    @staticmethod
    def abstract(alpha, z):
        _float_rule("standard_gamma_grad")(alpha)
        return elementwise("standard_gamma_grad")(alpha, z)

    @staticmethod
    def vjp(ctx, g):
        return None, None


def _scipy_kernel(kernel, op):
    def run(*args):
        _scipy_special(op)  # a clear error when SciPy is missing
        return kernel(*args)
    return run
