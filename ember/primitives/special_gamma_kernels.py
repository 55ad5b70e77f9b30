"""Kernels for ``erfcx``, the regularised incomplete gamma functions and Hurwitz's zeta,
in plain array code (any NumPy-like namespace ``xp``), float64 in and out.

- ``erfcx(x) = exp(x^2) erfc(x)`` solves ``y' = 2 x y - 2/sqrt(pi)``, so its Taylor
  coefficients at a point follow from two values by a recurrence. On [0, 6] each element is
  expanded about the nearest of 49 anchors (spacing 1/8, the anchor values from :mod:`math` once
  at import); beyond 6 Laplace's continued fraction converges within 60 levels. Negative
  arguments use ``erfcx(-x) = 2 exp(x^2) - erfcx(x)``.
- ``P(a, x)`` and ``Q(a, x)``: the power series of ``P`` where ``x <= max(a, 1)``, Legendre's
  continued fraction (modified Lentz) of ``Q`` elsewhere, the other as the complement; the
  prefactor ``x^a e^-x / Gamma(a)`` comes from :func:`log_gamma` with the large-``a`` part
  written as ``a (log1p(u) - u)`` so it keeps its accuracy when ``x`` is close to ``a``.
- ``zeta(s, q)``: the Euler-Maclaurin formula after summing terms up to ``q + n > 9``
  (twelve Bernoulli corrections).
"""
from __future__ import annotations

import math

import numpy

_TWO_OVER_ROOT_PI = 2 / math.sqrt(math.pi)
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)
# B_2k for k = 1..12, exact rationals
BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
             43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)
_MAX_ITERATIONS = 5000


# --- log Gamma (positive arguments) ----------------------------------------------------
def _stirling_correction(xp, z):
    """``log Gamma(z) - [(z - 1/2) log z - z + log(2 pi)/2]`` for z >= 15 (eight Bernoulli terms)."""
    inverse, square = 1 / z, 1 / (z * z)
    total = xp.zeros_like(z)
    power = inverse
    for k, bernoulli in enumerate(BERNOULLI[:8], start=1):
        total = total + bernoulli / (2 * k * (2 * k - 1)) * power
        power = power * square
    return total


def log_gamma(xp, a):
    """``log Gamma(a)`` for a > 0: shifted up to 15 by the recurrence, then Stirling's series."""
    z = xp.asarray(a, dtype=numpy.float64)
    product = xp.ones_like(z)
    for _ in range(15):
        low = z < 15
        product = xp.where(low, product * z, product)
        z = xp.where(low, z + 1, z)
    return (z - 0.5) * xp.log(z) - z + _HALF_LOG_TWO_PI + _stirling_correction(xp, z) - xp.log(product)


def log_gamma_prefactor(xp, a, x):
    """``log(x^a e^-x / Gamma(a))`` for a > 0, x >= 0, accurate when x is near a large a."""
    small = a < 15
    a_small = xp.where(small, a, 1.0)
    a_large = xp.where(small, 15.0, a)
    direct = a_small * xp.log(x) - x - log_gamma(xp, a_small)
    u = (x - a_large) / a_large
    # a log x - x - [(a - 1/2) log a - a + log(2 pi)/2 + c(a)] = a (log1p(u) - u) + log(a)/2 - ...
    stable = (a_large * (xp.log1p(u) - u) + 0.5 * xp.log(a_large) - _HALF_LOG_TWO_PI
              - _stirling_correction(xp, a_large))
    return xp.where(small, direct, stable)


# --- erfcx --------------------------------------------------------------------------
_ANCHOR_STEP = 0.125
_ANCHORS = numpy.arange(49) * _ANCHOR_STEP
_ANCHOR_VALUES = numpy.array([math.exp(t * t) * math.erfc(t) for t in _ANCHORS])
_TAYLOR_TERMS = 30
_FRACTION_DEPTH = 60
_ANCHORED_LIMIT = 6.0


def _erfcx_taylor(xp, x):
    """``erfcx`` for 0 <= x <= 6 + 1/16 by Taylor expansion about the nearest anchor."""
    index = xp.clip(xp.rint(x / _ANCHOR_STEP).astype(numpy.int64), 0, len(_ANCHORS) - 1)
    center = xp.asarray(_ANCHORS)[index]
    value = xp.asarray(_ANCHOR_VALUES)[index]
    step = x - center
    # c_n = y^(n)(center) / n!:  c_1 = 2 t c_0 - 2/sqrt(pi),  (n+1) c_(n+1) = 2 t c_n + 2 c_(n-1)
    previous, current = value, 2 * center * value - _TWO_OVER_ROOT_PI
    total, power = value + current * step, step
    for n in range(1, _TAYLOR_TERMS):
        previous, current = current, (2 * center * current + 2 * previous) / (n + 1)
        power = power * step
        total = total + current * power
    return total


def _erfcx_fraction(xp, x):
    """``erfcx`` for x > 6: ``1/sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))``."""
    tail = xp.zeros_like(x)
    for level in range(_FRACTION_DEPTH, 0, -1):
        tail = (level / 2) / (x + tail)
    return 1 / (math.sqrt(math.pi) * (x + tail))


def erfcx(xp, x):
    """``exp(x^2) erfc(x)``: inf below about -26.6 (as PyTorch), nan at nan."""
    from .special_bessel_kernels import piecewise
    ax = xp.abs(x)
    positive = piecewise(xp, ax, [(ax <= _ANCHORED_LIMIT, lambda v: _erfcx_taylor(xp, v)),
                                  (ax > _ANCHORED_LIMIT, lambda v: _erfcx_fraction(xp, v))])
    with numpy.errstate(over="ignore"):
        negative = 2 * xp.exp(ax * ax) - positive
    return xp.where(x < 0, negative, positive)


# --- incomplete gamma ----------------------------------------------------------------
def _lower_series(xp, a, x):
    """``sum_n x^n / ((a+1)...(a+n))`` until the terms fall below 1e-17 of the sum."""
    total = xp.ones_like(x)
    term = xp.ones_like(x)
    active = xp.ones(x.shape, dtype=bool)
    for n in range(1, _MAX_ITERATIONS):
        term = xp.where(active, term * x / (a + n), 0.0)
        total = total + term
        active = active & (term > 1e-17 * total)
        if not bool(active.any()):
            break
    return total


def _upper_fraction(xp, a, x):
    """Legendre's continued fraction ``1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))`` (Lentz)."""
    tiny = 1e-300
    b = x + 1 - a
    c = xp.full_like(x, 1 / tiny)
    d = 1 / xp.where(b == 0, tiny, b)
    h = d
    active = xp.ones(x.shape, dtype=bool)
    for n in range(1, _MAX_ITERATIONS):
        coefficient = -n * (n - a)
        b = b + 2
        d = coefficient * d + b
        d = 1 / xp.where(d == 0, tiny, d)
        c = b + coefficient / c
        c = xp.where(c == 0, tiny, c)
        delta = c * d
        h = xp.where(active, h * delta, h)
        active = active & (xp.abs(delta - 1) > 1e-16)
        if not bool(active.any()):
            break
    return h


def incomplete_gamma(xp, a, x, upper):
    """``P(a, x)`` (``upper``: ``Q(a, x) = 1 - P``), with PyTorch's values at the edges."""
    a, x = xp.broadcast_arrays(a, x)
    regular = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
    a_safe, x_safe = xp.where(regular, a, 1.0), xp.where(regular, x, 1.0)
    use_series = (x_safe <= 1) | (x_safe <= a_safe)
    out = xp.full(a_safe.shape, math.nan)
    # each element runs one method: the series of P, or the continued fraction of Q
    for method, mask in ((_lower_by_series, use_series & regular), (_upper_by_fraction, ~use_series & regular)):
        if bool(mask.any()):
            lower, upper_value = method(xp, a_safe[mask], x_safe[mask])
            out[mask] = upper_value if upper else lower
    return _incomplete_gamma_edges(xp, a, x, out, upper)


def _lower_by_series(xp, a, x):
    lower = xp.exp(log_gamma_prefactor(xp, a, x) - xp.log(a)) * _lower_series(xp, a, x)
    return lower, 1 - lower


def _upper_by_fraction(xp, a, x):
    upper = xp.exp(log_gamma_prefactor(xp, a, x)) * _upper_fraction(xp, a, x)
    return 1 - upper, upper


def _incomplete_gamma_edges(xp, a, x, out, upper):
    """Cephes's (and so PyTorch's) values outside a, x > 0 finite, written for ``P``."""
    edge = xp.full_like(out, math.nan)
    edge = xp.where((a == 0) & (x > 0), 1.0, edge)
    edge = xp.where((x == 0) & (a > 0), 0.0, edge)
    edge = xp.where(xp.isposinf(a) & xp.isfinite(x) & (x >= 0), 0.0, edge)
    edge = xp.where(xp.isposinf(x) & xp.isfinite(a) & (a >= 0), 1.0, edge)
    if upper:
        edge = 1 - edge
    bad = (a < 0) | (x < 0) | xp.isnan(a) | xp.isnan(x)
    regular = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
    return xp.where(regular, out, xp.where(bad, math.nan, edge))


# --- Hurwitz zeta ------------------------------------------------------------------------
def hurwitz_zeta(xp, s, q):
    """``sum_k (q + k)^-s``: inf at s = 1 or at non-positive integer q, nan for s < 1 (Cephes)."""
    s, q = xp.broadcast_arrays(s, q)
    integer_q = q == xp.floor(q)
    regular = (s > 1) & ~((q <= 0) & (integer_q | (s != xp.floor(s))))
    s_safe, q_safe = xp.where(regular, s, 2.0), xp.where(regular, q, 1.0)
    total = xp.zeros_like(s_safe)
    shifted = q_safe.copy()
    count = 0
    while True:
        # at least nine terms, and on until q + n > 9, where Euler-Maclaurin's tail is exact
        # (a very negative q costs about -q rounds)
        summing = (shifted <= 9) if count >= 9 else xp.ones(shifted.shape, dtype=bool)
        if not bool(summing.any()):
            break
        total = total + xp.where(summing, shifted ** -s_safe, 0.0)
        shifted = xp.where(summing, shifted + 1, shifted)
        count += 1
    total = total + _euler_maclaurin_tail(xp, s_safe, shifted)
    out = xp.where(regular, total, math.nan)
    out = xp.where((s == 1) | ((s > 1) & (q <= 0) & integer_q), math.inf, out)
    return xp.where(xp.isnan(s) | xp.isnan(q), math.nan, out)


def _euler_maclaurin_tail(xp, s, w):
    """``sum_k (w + k)^-s`` for w > 9 by Euler-Maclaurin."""
    power = w ** -s
    tail = w * power / (s - 1) + 0.5 * power
    rising = s.copy()                       # s (s+1) ... (s + 2j - 2)
    factorial = 2.0                         # (2j)!
    power_term = power / w                  # w^(-s-2j+1)
    for j, bernoulli in enumerate(BERNOULLI, start=1):
        tail = tail + bernoulli / factorial * rising * power_term
        rising = rising * (s + 2 * j - 1) * (s + 2 * j)
        factorial *= (2 * j + 1) * (2 * j + 2)
        power_term = power_term / (w * w)
    return tail
