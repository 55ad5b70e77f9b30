"""The rest of ``torch.special``: scaled Bessel functions, ``erfcx``, incomplete gamma, Hurwitz's
zeta, the Bessel/Airy family and the classical orthogonal polynomials.

Primitives in :mod:`ember.primitives.special_functions` (kernels in plain NumPy, no SciPy);
integer inputs become the default float dtype, binary ones promote as PyTorch does.
``ember.special`` re-exports them under ``torch.special``'s names; ``igamma``/``igammac``
are also top-level names and Tensor methods, as in PyTorch.
"""
from __future__ import annotations

from ..backend.dtypes import get_default_dtype
from ..primitives import special_functions as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _float, _operand, _promote, cast, full_scalar


def _unary(prim, name, doc, example):
    def function(input) -> Tensor:
        return bind(prim, (_float(input, name),))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{doc}\n\n    Example:\n        >>> import ember\n{example}"
    return function


def _float_pair(op, input, other):
    """Both operands as tensors of PyTorch's result dtype, the default float if that is integral."""
    input, other = _operand(input), _operand(other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _float(input, op)
    (input, other), target = _promote(input, other)
    if target.numpy.kind != "f":
        target = get_default_dtype()
    tensors = [value for value in (input, other) if isinstance(value, Tensor)]
    if tensors and tensors[0]._data.dtype.kind == "c":
        _float(tensors[0], op)  # the clear complex error
    like = cast(tensors[0], target)
    return [cast(value, target) if isinstance(value, Tensor) else full_scalar(value, like)
            for value in (input, other)]


special_i0e = _unary(P.i0e, "i0e", "``exp(-|x|) I0(x)``, the exponentially scaled modified Bessel function of order 0.",
                     "        >>> ember.special.i0e(ember.tensor([0.0]))\n        tensor([1.])\n")
special_i1e = _unary(P.i1e, "i1e", "``exp(-|x|) I1(x)``, the exponentially scaled modified Bessel function of order 1.",
                     "        >>> ember.special.i1e(ember.tensor([0.0]))\n        tensor([0.])\n")
special_erfcx = _unary(P.erfcx, "erfcx", "The scaled complementary error function ``exp(x^2) erfc(x)``.",
                       "        >>> ember.special.erfcx(ember.tensor([0.0]))\n        tensor([1.])\n")


def gammainc(input, other) -> Tensor:
    """The regularised lower incomplete gamma function ``P(a, x)`` (``a = input``, ``x = other``);
    differentiable in ``x`` only, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.special.gammainc(ember.tensor([1.0]), ember.tensor([0.0]))
        tensor([0.])
    """
    return bind(P.gammainc, tuple(_float_pair("gammainc", input, other)))


def gammaincc(input, other) -> Tensor:
    """The regularised upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``.

    Example:
        >>> import ember
        >>> ember.special.gammaincc(ember.tensor([1.0]), ember.tensor([0.0]))
        tensor([1.])
    """
    return bind(P.gammaincc, tuple(_float_pair("gammaincc", input, other)))


igamma, igammac = gammainc, gammaincc


def special_zeta(input, other) -> Tensor:
    """Hurwitz's zeta function ``sum_k (other + k) ** -input`` (Riemann's at ``other = 1``);
    differentiable in ``other`` only, as in PyTorch.

    Example:
        >>> import ember
        >>> round(ember.special.zeta(ember.tensor(2.0), 1.0).item(), 6)
        1.644934
    """
    return bind(P.zeta, tuple(_float_pair("zeta", input, other)))


def multigammaln(input, p: int) -> Tensor:
    """The multivariate log-gamma function (``torch.special.multigammaln``, ``torch.mvlgamma``).

    Example:
        >>> import ember
        >>> round(ember.special.multigammaln(ember.tensor(2.5), 2).item(), 4)
        0.857
    """
    from .torch_math import mvlgamma
    return mvlgamma(input, p)


def _bessel(function, doc, example):
    def run(input) -> Tensor:
        return bind(P.BesselFamily, (_float(input, function),), (function,))
    run.__name__ = run.__qualname__ = function
    run.__doc__ = (f"{doc} (not differentiable, as in PyTorch).\n\n    Example:\n        >>> import ember\n"
                   f"        >>> round(ember.special.{function}(ember.tensor(1.0)).item(), 6)\n        {example}\n")
    return run


bessel_j0 = _bessel("bessel_j0", "The Bessel function of the first kind of order 0", "0.765198")
bessel_j1 = _bessel("bessel_j1", "The Bessel function of the first kind of order 1", "0.440051")
bessel_y0 = _bessel("bessel_y0", "The Bessel function of the second kind of order 0", "0.088257")
bessel_y1 = _bessel("bessel_y1", "The Bessel function of the second kind of order 1", "-0.781213")
modified_bessel_i0 = _bessel("modified_bessel_i0", "The modified Bessel function of the first kind of order 0",
                             "1.266066")
modified_bessel_i1 = _bessel("modified_bessel_i1", "The modified Bessel function of the first kind of order 1",
                             "0.565159")
modified_bessel_k0 = _bessel("modified_bessel_k0", "The modified Bessel function of the second kind of order 0",
                             "0.421024")
modified_bessel_k1 = _bessel("modified_bessel_k1", "The modified Bessel function of the second kind of order 1",
                             "0.601907")
scaled_modified_bessel_k0 = _bessel("scaled_modified_bessel_k0", "``exp(x) K0(x)``", "1.144463")
scaled_modified_bessel_k1 = _bessel("scaled_modified_bessel_k1", "``exp(x) K1(x)``", "1.636153")
spherical_bessel_j0 = _bessel("spherical_bessel_j0", "The spherical Bessel function ``sin(x) / x``", "0.841471")
airy_ai = _bessel("airy_ai", "The Airy function ``Ai``", "0.135292")


def _polynomial(family, doc, example):
    def run(input, n) -> Tensor:
        x, degree = _float_pair(family, input, n)
        return bind(P.OrthogonalPolynomial, (x, degree), (family,))
    run.__name__ = run.__qualname__ = family
    run.__doc__ = (f"{doc}, of degree ``n`` (a tensor or number, truncated to an integer; 0 where "
                   f"negative); not differentiable, as in PyTorch.\n\n    Example:\n        >>> import ember\n"
                   f"        >>> ember.special.{family}(ember.tensor([0.5]), 2)\n        {example}\n")
    return run


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", "The Chebyshev polynomial of the first kind",
                                     "tensor([-0.5000])")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", "The Chebyshev polynomial of the second kind",
                                     "tensor([0.])")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", "The Chebyshev polynomial of the third kind",
                                     "tensor([-1.])")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", "The Chebyshev polynomial of the fourth kind",
                                     "tensor([1.])")
shifted_chebyshev_polynomial_t = _polynomial(
    "shifted_chebyshev_polynomial_t", "``T_n(2x - 1)``, the Chebyshev polynomial of the first kind on [0, 1]",
    "tensor([-1.])")
shifted_chebyshev_polynomial_u = _polynomial(
    "shifted_chebyshev_polynomial_u", "``U_n(2x - 1)``, the Chebyshev polynomial of the second kind on [0, 1]",
    "tensor([-1.])")
shifted_chebyshev_polynomial_v = _polynomial(
    "shifted_chebyshev_polynomial_v", "``V_n(2x - 1)``, the Chebyshev polynomial of the third kind on [0, 1]",
    "tensor([-1.])")
shifted_chebyshev_polynomial_w = _polynomial(
    "shifted_chebyshev_polynomial_w", "``W_n(2x - 1)``, the Chebyshev polynomial of the fourth kind on [0, 1]",
    "tensor([-1.])")
hermite_polynomial_h = _polynomial("hermite_polynomial_h", "The physicists' Hermite polynomial", "tensor([-1.])")
hermite_polynomial_he = _polynomial("hermite_polynomial_he", "The probabilists' Hermite polynomial",
                                    "tensor([-0.7500])")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", "The Laguerre polynomial", "tensor([0.1250])")
legendre_polynomial_p = _polynomial("legendre_polynomial_p", "The Legendre polynomial", "tensor([-0.1250])")
