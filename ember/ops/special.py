"""Special functions with PyTorch's names (``ember.special`` re-exports them with ``torch.special``'s).

``erfc``, ``erfinv``, ``lgamma``/``gammaln``, ``digamma``, ``polygamma``, ``i0`` and ``i1``
are primitives (:mod:`ember.primitives.special`); ``expit``, ``logit``, ``xlogy``,
``xlog1py``, ``entr``, ``sinc`` are compositions.
"""
from __future__ import annotations

from ..primitives import special as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _float, _operand, _promote, _tensor
from .elementwise import clamp, log, log1p, sigmoid, sin, where
from .comparison import isfinite, isnan


def _unary(prim, doc, example):
    def function(input) -> Tensor:
        return bind(prim, (_float(input),))
    function.__name__ = prim.name
    function.__doc__ = f"{doc}\n\n    Example:\n        >>> import ember\n{example}"
    return function


erfc = _unary(P.erfc, "The complementary error function ``1 - erf(x)``, accurate for large x.",
              "        >>> ember.erfc(ember.tensor([0.0]))\n        tensor([1.])\n")
erfinv = _unary(P.erfinv, "The inverse of ``erf`` on (-1, 1).",
                "        >>> ember.erfinv(ember.tensor([0.0]))\n        tensor([0.])\n")
lgamma = _unary(P.lgamma, "``log|Gamma(x)|``.",
                "        >>> ember.lgamma(ember.tensor([3.0]))\n        tensor([0.6931])\n")
digamma = _unary(P.digamma, "The logarithmic derivative of Gamma (needs SciPy).",
                 "        >>> ember.digamma(ember.tensor([1.0]))\n        tensor([-0.5772])\n")
i0 = _unary(P.i0, "The modified Bessel function of the first kind, order 0.",
            "        >>> ember.i0(ember.tensor([0.0]))\n        tensor([1.])\n")
special_i1 = _unary(P.i1, "The modified Bessel function of the first kind, order 1 (needs SciPy).",
                    "        >>> ember.special.i1(ember.tensor([0.0]))\n        tensor([0.])\n")


def polygamma(n: int, input) -> Tensor:
    """The ``n``-th derivative of ``digamma`` (``n = 0`` is digamma itself; needs SciPy).

    Example:
        >>> import ember
        >>> round(ember.polygamma(1, ember.tensor([1.0])).item(), 4)
        1.6449
    """
    if not isinstance(n, int) or n < 0:
        from ..errors import EmberValueError
        raise EmberValueError(f"polygamma: n must be a non-negative integer, got {n}")
    return digamma(input) if n == 0 else bind(P.Polygamma, (_float(input),), (n,))


def logit(input, eps=None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``.

    Example:
        >>> import ember
        >>> ember.logit(ember.tensor([0.5]))
        tensor([0.])
    """
    p = _float(input)
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p / (1 - p))


def xlogy(input, other) -> Tensor:
    """``input * log(other)``, defined as 0 where ``input`` is 0 (unless ``other`` is NaN).

    Example:
        >>> import ember
        >>> ember.xlogy(ember.tensor([0.0, 2.0]), ember.tensor([0.0, 1.0]))
        tensor([0., 0.])
    """
    return _x_times_log(input, other, log)


def xlog1py(input, other) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _x_times_log(input, other, log1p)


def _x_times_log(input, other, logarithm):
    x, y = _operand(input), _operand(other)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = _tensor(x)
    (x, y), _ = _promote(x, y)
    x = _float(x) if isinstance(x, Tensor) else float(x)
    y = _float(y) if isinstance(y, Tensor) else float(y)
    y_tensor = _tensor(y) if not isinstance(y, Tensor) else y
    zero = (x == 0) & ~isnan(y_tensor)
    logs = logarithm(y_tensor)
    # where x is 0 the value is 0 but the slope in x is still log(y), as in PyTorch (0 if that is infinite)
    finite_logs = where(isfinite(logs), logs, 0)
    return where(zero, x * finite_logs, x * logs)


def entr(input) -> Tensor:
    """``-x log x`` (0 at 0, -inf below 0)."""
    x = _float(input)
    positive = x > 0
    value = where(positive, -x * log(where(positive, x, 1)), 0)
    return where(x < 0, float("-inf"), value)


def sinc(input) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    import math
    x = _float(input)
    scaled = x * math.pi
    zero = x == 0
    return where(zero, 1, sin(scaled) / where(zero, 1, scaled))


expit = sigmoid
gammaln = lgamma


def standard_gamma_grad(concentration, sample) -> Tensor:
    """``d sample / d concentration`` of Gamma(concentration, 1) draws at a fixed CDF level
    (PyTorch's ``_standard_gamma_grad``; float64 accuracy, no gradient of its own; needs SciPy).

    Example:
        >>> import ember
        >>> round(ember._standard_gamma_grad(ember.tensor(1.0), ember.tensor(1.0)).item(), 4)
        1.1736
    """
    (concentration, sample), _ = _promote(_float(concentration), _float(sample))
    return bind(P.StandardGammaGrad, (concentration, sample))
