"""Host kernels for gamma draws and their implicit reparameterisation derivative.

A Gamma(alpha, 1) draw ``z`` is a deterministic function of alpha given the
draw's uniform level ``F(z; alpha)`` (F the regularised lower incomplete gamma
function). Holding that level fixed, ``dz/dalpha = -(dF/dalpha) / (dF/dz)``,
with ``dF/dz`` the gamma density. ``dF/dalpha`` has no closed form, so:

- for z < 1 it is summed from the series ``F = z^a e^-z sum_n z^n / Gamma(a + n + 1)``,
  differentiated term by term and taken relative to the density, so nothing under- or
  overflows even for alpha = 0.01 and z = 1e-300 (a few terms suffice there);
- elsewhere from SciPy's incomplete gamma functions (the tail that is smaller, so its
  relative accuracy carries over) by a central difference in alpha with a step of 1e-5 of
  the scale on which F varies in alpha.

Against mpmath at 40 digits the result is within ~1e-9 relative over alpha in [0.01, 1e4]
and CDF levels 1e-6 .. 1 - 1e-6 (PyTorch's rational approximations are off by up to 5e-4,
and 1% in the far tails). It costs about a microsecond per element (SciPy's incomplete
gamma twice), tens of times PyTorch's closed forms.
Everything runs in float64 whatever the draw's dtype.
"""
from __future__ import annotations

import numpy

_SERIES_LIMIT = 1.0       # below it the series converges in a few terms; above, the difference route
_MAX_TERMS = 2000


def standard_gamma(source: numpy.random.Generator, alpha: numpy.ndarray) -> numpy.ndarray:
    """Gamma(alpha, 1) draws in alpha's dtype, clamped to the dtype's smallest normal number
    (as PyTorch does, so ``log`` of a draw is finite for tiny alpha)."""
    draws = source.standard_gamma(alpha.astype(numpy.float64, copy=False))
    draws = numpy.asarray(draws).astype(alpha.dtype, copy=False)
    return numpy.maximum(draws, numpy.finfo(alpha.dtype).tiny)


def _series(alpha, z):
    """``dz/dalpha`` from the term-wise differentiated series (used for z < 1). Converged
    entries leave the loop, so each round only touches the ones still summing."""
    log_z = numpy.log(z)
    weight = 1.0 / alpha                      # Gamma(a) z^n / Gamma(a + n + 1)
    digamma_next = _digamma(alpha + 1.0)      # psi(a + n + 1)
    total = weight * (log_z - digamma_next)
    active = numpy.arange(z.size)
    for n in range(1, _MAX_TERMS):
        a, x = alpha[active], z[active]
        weight = weight * x / (a + n)
        digamma_next = digamma_next + 1.0 / (a + n)
        term = weight * (log_z[active] - digamma_next)
        total[active] += term
        going = numpy.abs(term) > 1e-17 * numpy.abs(total[active])
        if not going.all():
            active, weight, digamma_next = active[going], weight[going], digamma_next[going]
            if active.size == 0:
                break
    return -z * total


def _difference(alpha, z):
    """``dz/dalpha`` from a central difference of the smaller tail of F in alpha."""
    import scipy.special as special
    upper = z > alpha + 0.5
    slope = numpy.empty_like(z)
    # each point differentiates the tail that is smaller there (so relative accuracy carries over)
    for mask, tail, sign in ((upper, special.gammaincc, -1.0), (~upper, special.gammainc, 1.0)):
        if mask.any():
            a, x = alpha[mask], z[mask]
            step = 1e-5 * numpy.minimum(a, numpy.sqrt(a))
            slope[mask] = sign * (tail(a + step, x) - tail(a - step, x)) / (2 * step)
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
    by_series = (z < _SERIES_LIMIT) & (z > 0)
    if by_series.any():
        result[by_series] = _series(alpha[by_series], z[by_series])
    by_difference = ~by_series & (z > 0)
    if by_difference.any():
        with numpy.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            result[by_difference] = _difference(alpha[by_difference], z[by_difference])
    # a density that underflowed (z far in a tail no draw reaches) gives nan: 0, as PyTorch's does
    return numpy.nan_to_num(result, nan=0.0, posinf=0.0, neginf=0.0).astype(dtype, copy=False)
