"""``ember.special``: PyTorch's ``torch.special`` names.

The Bessel, Airy, incomplete gamma, zeta and polynomial functions are NumPy code
(:mod:`ember.ops.special_functions`). SciPy (in the ``test`` extra, not a core dependency) computes ``digamma``,
``polygamma``, ``erfinv`` and ``i1``; without it those raise a clear error,
while ``erfc``, ``gammaln`` and ``i0`` fall back to exact NumPy/``math`` kernels.

Example:
    >>> import ember
    >>> ember.special.expit(ember.tensor([0.0]))
    tensor([0.5000])
"""
from .ops.elementwise import erf, expm1, log1p, sigmoid as expit  # noqa: F401
from .ops.nn import log_softmax, softmax  # noqa: F401
from .ops.reduce import logsumexp  # noqa: F401
from .ops.special import (  # noqa: F401
    digamma, entr, erfc, erfinv, gammaln, i0, logit, polygamma, sinc, special_i1 as i1, xlog1py, xlogy)

from .ops.special_functions import (  # noqa: F401
    airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, chebyshev_polynomial_t, chebyshev_polynomial_u,
    chebyshev_polynomial_v, chebyshev_polynomial_w, gammainc, gammaincc, hermite_polynomial_h,
    hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p, modified_bessel_i0, modified_bessel_i1,
    modified_bessel_k0, modified_bessel_k1, multigammaln, scaled_modified_bessel_k0, scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w, special_erfcx as erfcx, special_i0e as i0e, special_i1e as i1e,
    special_zeta as zeta, spherical_bessel_j0)
from .ops.elementwise import round  # noqa: F401,E402

psi = digamma


def exp2(input):
    """``2 ** input``."""
    from .ops.elementwise import pow
    from .ops._operands import _float
    return pow(2.0, _float(input))


def ndtr(input):
    """The standard normal cumulative distribution function."""
    import math
    from .ops._operands import _float
    return 0.5 * erfc(-_float(input) / math.sqrt(2))


def ndtri(input):
    """The inverse of :func:`ndtr`."""
    import math
    from .ops._operands import _float
    return math.sqrt(2) * erfinv(2 * _float(input) - 1)


def log_ndtr(input):
    """``log(ndtr(input))``."""
    from .ops.elementwise import log
    return log(ndtr(input))
