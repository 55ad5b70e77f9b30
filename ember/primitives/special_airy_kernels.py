"""The Airy function ``Ai`` in plain array code (any NumPy-like namespace ``xp``), float64.

With ``zeta = (2/3) |x|^(3/2)``:

- ``-2.5 <= x <= 1``: the Maclaurin series ``Ai(0) f(x) + Ai'(0) g(x)`` (its terms stay within
  a factor 3 of the result there, so at most half a digit is lost);
- ``x > 1``: ``Ai(x) = sqrt(x/3) K_(1/3)(zeta) / pi``, ``K`` from the trapezoidal rule of
  :func:`.special_bessel_kernels.bessel_k_scaled_trapezoid`;
- ``x < -2.5``: ``Ai(x) = sqrt(|x|) (J_(1/3)(zeta) + J_(-1/3)(zeta)) / 3``, the ``J`` from Miller's
  backward recurrence normalised by ``sum_k (nu + 2k) Gamma(nu + k) / k! J_(nu+2k) = (zeta/2)^nu``
  (A&S 9.1.87) up to zeta = 30, from the Hankel expansion beyond.
"""
from __future__ import annotations

import math

from .special_bessel_kernels import _hankel_terms, bessel_k_scaled_trapezoid, piecewise

AI_0 = 1 / (3 ** (2 / 3) * math.gamma(2 / 3))       # Ai(0)
AI_PRIME_0 = -1 / (3 ** (1 / 3) * math.gamma(1 / 3))  # Ai'(0)
_SERIES_TERMS = 40
_MILLER_START = 100    # J_100(30) / J(30) is below 1e-30
_HANKEL_FROM = 30.0    # zeta beyond which the Hankel expansion is exact to double precision


def _maclaurin(xp, x):
    cube = x * x * x
    f_term, g_term = xp.ones_like(x), x
    f, g = f_term, g_term
    for k in range(1, _SERIES_TERMS):
        f_term = f_term * cube / ((3 * k - 1) * (3 * k))
        g_term = g_term * cube / ((3 * k) * (3 * k + 1))
        f, g = f + f_term, g + g_term
    return AI_0 * f + AI_PRIME_0 * g


def _normalisation_weights(nu, count):
    """``(nu + 2k) Gamma(nu + k) / k!`` for k < count (k = 0 gives Gamma(nu + 1))."""
    weights = [math.gamma(nu + 1)]
    ratio = math.gamma(nu + 1)          # Gamma(nu + k) / k! at k = 1
    for k in range(1, count):
        weights.append((nu + 2 * k) * ratio)
        ratio = ratio * (nu + k) / (k + 1)
    return weights


def _bessel_j_miller(xp, z, nu):
    """``J_nu(z)`` for -1 < nu, 1 <= z <= 30 by Miller's recurrence."""
    values = [None] * (_MILLER_START + 2)
    values[_MILLER_START + 1] = xp.zeros_like(z)
    values[_MILLER_START] = xp.full_like(z, 1e-30)
    for k in range(_MILLER_START, 0, -1):
        values[k - 1] = (2 * (nu + k) / z) * values[k] - values[k + 1]
    weights = _normalisation_weights(nu, _MILLER_START // 2 + 1)
    norm = sum(weight * values[2 * k] for k, weight in enumerate(weights))
    return values[0] * (z / 2) ** nu / norm


def _bessel_j_hankel(xp, z, nu):
    terms = _hankel_terms(xp, z, nu)
    p = sum(((-1) ** (k // 2)) * term for k, term in enumerate(terms) if k % 2 == 0)
    q = sum(((-1) ** (k // 2)) * term for k, term in enumerate(terms) if k % 2 == 1)
    chi = z - (nu / 2 + 0.25) * math.pi
    return xp.sqrt(2 / (math.pi * z)) * (p * xp.cos(chi) - q * xp.sin(chi))


def airy_ai(xp, x):
    """``Ai(x)``: 0 where it underflows (x > ~105), nan at +-inf and nan (as PyTorch)."""
    def zeta_of(v):
        av = xp.abs(v)
        return (2 / 3) * av * xp.sqrt(av)

    def decaying(v):
        zeta = zeta_of(v)
        return xp.sqrt(v / 3) * bessel_k_scaled_trapezoid(xp, zeta, 1 / 3) * xp.exp(-zeta) / math.pi

    def oscillating(j):
        def run(v):
            zeta = zeta_of(v)
            return xp.sqrt(-v) * (j(xp, zeta, 1 / 3) + j(xp, zeta, -1 / 3)) / 3
        return run
    zeta_limit = (1.5 * _HANKEL_FROM) ** (2 / 3)      # x where zeta = _HANKEL_FROM
    finite = xp.isfinite(x)
    return piecewise(xp, x, [
        ((x >= -2.5) & (x <= 1), lambda v: _maclaurin(xp, v)),
        ((x > 1) & finite, decaying),
        ((x < -2.5) & (x >= -zeta_limit), oscillating(_bessel_j_miller)),
        ((x < -zeta_limit) & finite, oscillating(_bessel_j_hankel))])
