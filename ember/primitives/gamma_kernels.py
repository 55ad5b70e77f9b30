"""Host kernels for gamma draws and their implicit reparameterisation derivative.

A Gamma(alpha, 1) draw ``z`` is a deterministic function of alpha given the
draw's uniform level ``F(z; alpha)`` (F the regularised lower incomplete gamma
function). Holding that level fixed, ``dz/dalpha = -(dF/dalpha) / (dF/dz)``,
with ``dF/dz`` the gamma density. ``dF/dalpha`` has no closed form, so:

- below ``alpha + 1/2`` (and for moderate z) it is summed exactly from the
  series ``F = z^a e^-z sum_n z^n / Gamma(a + n + 1)``, differentiated term by
  term; every term there has the same sign, so there is no cancellation, and
  the series is taken relative to the density, so nothing under- or overflows
  even for alpha = 0.01 and z = 1e-300;
- elsewhere from SciPy's incomplete gamma functions (the tail that is smaller,
  so its relative accuracy carries over) by a five-point central difference in
  alpha with a step of 1e-3 of the scale on which F varies in alpha; the
  truncation error is then ~1e-12 relative.

Everything runs in float64 whatever the draw's dtype.
"""
from __future__ import annotations

import numpy

_SERIES_LIMIT = 200.0     # beyond this z the series needs too many terms: the difference route
_MAX_TERMS = 2000


def standard_gamma(source: numpy.random.Generator, alpha: numpy.ndarray) -> numpy.ndarray:
    """Gamma(alpha, 1) draws in alpha's dtype, clamped to the dtype's smallest normal number
    (as PyTorch does, so ``log`` of a draw is finite for tiny alpha)."""
    draws = source.standard_gamma(alpha.astype(numpy.float64, copy=False))
    draws = numpy.asarray(draws).astype(alpha.dtype, copy=False)
    return numpy.maximum(draws, numpy.finfo(alpha.dtype).tiny)


def _series(alpha, z):
    """``dz/dalpha`` from the term-wise differentiated series (for z <= alpha + 1/2)."""
    log_z = numpy.log(z)
    weight = 1.0 / alpha                      # Gamma(a) z^n / Gamma(a + n + 1)
    digamma_next = _digamma(alpha + 1.0)      # psi(a + n + 1)
    total = weight * (log_z - digamma_next)
    for n in range(1, _MAX_TERMS):
        weight = weight * z / (alpha + n)
        digamma_next = digamma_next + 1.0 / (alpha + n)
        term = weight * (log_z - digamma_next)
        total = total + term
        if numpy.all(numpy.abs(term) <= 1e-17 * numpy.abs(total)):
            break
    return -z * total


def _difference(alpha, z):
    """``dz/dalpha`` from a five-point difference of the smaller tail of F in alpha."""
    import scipy.special as special
    upper = z > alpha + 0.5
    step = 1e-3 * numpy.minimum(alpha, numpy.sqrt(alpha))

    def tail(a):
        return numpy.where(upper, -special.gammaincc(a, z), special.gammainc(a, z))

    slope = (tail(alpha - 2 * step) - 8 * tail(alpha - step) + 8 * tail(alpha + step)
             - tail(alpha + 2 * step)) / (12 * step)
    log_density = (alpha - 1.0) * numpy.log(z) - z - special.gammaln(alpha)
    return -slope / numpy.exp(log_density)


def _digamma(x):
    import scipy.special as special
    return special.digamma(x)


def standard_gamma_grad(alpha: numpy.ndarray, z: numpy.ndarray) -> numpy.ndarray:
    """``dz/dalpha`` of Gamma(alpha, 1) draws ``z`` (broadcast together), in their result dtype."""
    dtype = numpy.result_type(alpha, z)
    alpha, z = numpy.broadcast_arrays(alpha.astype(numpy.float64), z.astype(numpy.float64))
    result = numpy.zeros(alpha.shape)
    by_series = (z <= alpha + 0.5) & (z <= _SERIES_LIMIT) & (z > 0)
    if by_series.any():
        result[by_series] = _series(alpha[by_series], z[by_series])
    by_difference = ~by_series & (z > 0)
    if by_difference.any():
        with numpy.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            result[by_difference] = _difference(alpha[by_difference], z[by_difference])
    # a density that underflowed (z far in a tail no draw reaches) gives nan: 0, as PyTorch's does
    return numpy.nan_to_num(result, nan=0.0, posinf=0.0, neginf=0.0).astype(dtype, copy=False)
