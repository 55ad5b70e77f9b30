"""Primitives for the rest of ``torch.special``: scaled Bessel functions, ``erfcx``, the
regularised incomplete gamma functions, Hurwitz's zeta, the Bessel/Airy family and the
orthogonal polynomials.

Every kernel is array code in the operand's namespace (no SciPy), evaluated in float64 and
rounded to the operand's dtype: :mod:`.special_bessel_kernels`,
:mod:`.special_gamma_kernels`, :mod:`.special_polynomial_kernels`,
:mod:`.special_airy_kernels`.

Gradients follow PyTorch 2.13: ``i0e``, ``i1e``, ``erfcx`` have VJPs; ``gammainc``/``gammaincc``
and ``zeta`` are differentiable in their second argument only and raise a clear error when the
first needs a gradient (PyTorch: "derivative ... not implemented"); the Bessel/Airy family and
the polynomials are not differentiable (their results never require grad, as in PyTorch).
"""
from __future__ import annotations

import math

import numpy

from ..errors import DTypeError, EmberError
from . import special_airy_kernels as airy
from . import special_bessel_kernels as bessel
from . import special_gamma_kernels as gamma
from .core import Primitive, primitive
from .rules import elementwise, same_as_input
from .special_polynomial_kernels import KERNELS as POLYNOMIAL_KERNELS


def _in_float64(xp, kernel, *arrays):
    """``kernel(xp, *arrays)`` computed in float64, returned in the first array's dtype."""
    dtype = arrays[0].dtype
    with numpy.errstate(all="ignore"):  # overflow to inf and nan at the edges are the values PyTorch gives
        out = kernel(xp, *[a.astype(numpy.float64, copy=False) for a in arrays])
        return out.astype(dtype, copy=False)


def _float_rule(op):
    def rule(*operands):
        for value in operands:
            dtype = getattr(value, "dtype", None)
            if dtype is not None and dtype.kind != "f":
                raise DTypeError(f"{op}: expected floating-point tensors, got dtype {dtype}")
        return same_as_input(operands[0]) if len(operands) == 1 else elementwise(op)(*operands)
    return rule


def _define(name, kernel, vjp, doc):
    def forward(xp, *arrays):
        return _in_float64(xp, kernel, *arrays)
    cls = type(name.capitalize(), (Primitive,), {
        "name": name, "forward": staticmethod(forward),
        "abstract": staticmethod(_float_rule(name)), "vjp": staticmethod(vjp), "__doc__": doc})
    return primitive(cls)


# --- differentiable unary ---------------------------------------------------------------
def _i0e_vjp(ctx, g):
    x = ctx.inputs[0]
    return (g * (S.special_i1e(x) - F.sign(x) * S.special_i0e(x)),)


def _i1e_vjp(ctx, g):
    # (e^-|x| I1)' = e^-|x| (I0 - I1 / x) - sign(x) e^-|x| I1, whose limit at 0 is 1/2
    x = ctx.inputs[0]
    safe = F.where(x == 0, 1, x)
    slope = S.special_i0e(x) - S.special_i1e(x) * (F.sign(x) + 1 / safe)
    return (g * F.where(x == 0, 0.5, slope),)


def _erfcx_vjp(ctx, g):
    x = ctx.inputs[0]
    return (g * (2 * x * S.special_erfcx(x) - 2 / math.sqrt(math.pi)),)


i0e = _define("i0e", lambda xp, x: bessel.bessel_i_scaled(xp, x, 0), _i0e_vjp,
              "``exp(-|x|) I0(x)``, elementwise.")
i1e = _define("i1e", lambda xp, x: bessel.bessel_i_scaled(xp, x, 1), _i1e_vjp,
              "``exp(-|x|) I1(x)``, elementwise.")
erfcx = _define("erfcx", gamma.erfcx, _erfcx_vjp, "``exp(x^2) erfc(x)``, elementwise.")


# --- differentiable in the second argument only ---------------------------------------------
def _no_first_derivative(op, argument):
    raise EmberError(f"{op}: the derivative with respect to {argument} is not implemented "
                     f"(nor is it in PyTorch); only the second argument can be differentiated")


def _incomplete_gamma_vjp(op, sign):
    def vjp(ctx, g):
        a, x = ctx.inputs
        if ctx.wants(0):
            _no_first_derivative(op, "'input' (the shape a)")
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a), PyTorch's formula (nan where it is nan there)
        density = F.exp((a - 1) * F.log(x) - x - F.lgamma(a))
        return None, sign * g * density
    return vjp


def _zeta_vjp(ctx, g):
    s, q = ctx.inputs
    if ctx.wants(0):
        _no_first_derivative("zeta", "'input' (the exponent s)")
    return None, -g * s * S.special_zeta(s + 1, q)


gammainc = _define("gammainc", lambda xp, a, x: gamma.incomplete_gamma(xp, a, x, upper=False),
                   _incomplete_gamma_vjp("gammainc", 1),
                   "The regularised lower incomplete gamma function ``P(a, x)``, broadcasting.")
gammaincc = _define("gammaincc", lambda xp, a, x: gamma.incomplete_gamma(xp, a, x, upper=True),
                    _incomplete_gamma_vjp("gammaincc", -1),
                    "The regularised upper incomplete gamma function ``Q(a, x)``, broadcasting.")
zeta = _define("zeta", gamma.hurwitz_zeta, _zeta_vjp,
               "Hurwitz's zeta function ``sum_k (q + k)^-s``, broadcasting.")


# --- not differentiable (as in PyTorch): one record per family, the function an attribute ----
def _jy(index):
    return lambda xp, x: bessel.bessel_jy(xp, x)[index]


BESSEL_KERNELS = {
    "bessel_j0": _jy(0), "bessel_j1": _jy(1), "bessel_y0": _jy(2), "bessel_y1": _jy(3),
    "modified_bessel_i0": lambda xp, x: bessel.bessel_i(xp, x, 0),
    "modified_bessel_i1": lambda xp, x: bessel.bessel_i(xp, x, 1),
    "modified_bessel_k0": lambda xp, x: bessel.bessel_k(xp, x, 0),
    "modified_bessel_k1": lambda xp, x: bessel.bessel_k(xp, x, 1),
    "scaled_modified_bessel_k0": lambda xp, x: bessel.bessel_k(xp, x, 0, scaled=True),
    "scaled_modified_bessel_k1": lambda xp, x: bessel.bessel_k(xp, x, 1, scaled=True),
    "spherical_bessel_j0": bessel.spherical_bessel_j0,
    "airy_ai": airy.airy_ai,
}


def _check_function(op, function, table):
    if function not in table:
        raise EmberError(f"{op}: unknown function {function!r}; expected one of {sorted(table)}")


@primitive
class BesselFamily(Primitive):
    """The Bessel and Airy functions of ``torch.special`` (attribute: the function's name)."""

    name = "bessel_family"
    differentiable = False

    @staticmethod
    def forward(xp, x, function):
        return _in_float64(xp, BESSEL_KERNELS[function], x)

    @staticmethod
    def abstract(x, function):
        _check_function("bessel_family", function, BESSEL_KERNELS)
        return _float_rule(function)(x)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


@primitive
class OrthogonalPolynomial(Primitive):
    """``p_n(x)`` for a classical orthogonal polynomial family (attribute: its name); the
    degree ``n`` (same dtype as ``x``) is truncated toward zero, as PyTorch does."""

    name = "orthogonal_polynomial"
    differentiable = False

    @staticmethod
    def forward(xp, x, n, family):
        return _in_float64(xp, POLYNOMIAL_KERNELS[family], x, n)

    @staticmethod
    def abstract(x, n, family):
        _check_function("orthogonal_polynomial", family, POLYNOMIAL_KERNELS)
        return _float_rule(family)(x, n)

    @staticmethod
    def vjp(ctx, g):
        return None, None


def _elementwise_batching(prim):
    def rule(inputs, batched, attrs, size):
        from .batching import elementwise_rule  # on first use: batching needs the whole table
        return elementwise_rule(prim)(inputs, batched, attrs, size)
    return rule


for _prim in (i0e, i1e, erfcx, gammainc, gammaincc, zeta, BesselFamily, OrthogonalPolynomial):
    _prim.batch = _elementwise_batching(_prim)  # vmap: every one is elementwise (broadcasting)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
from ..ops import special_functions as S  # noqa: E402
