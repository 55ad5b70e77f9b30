"""Bessel function kernels in plain array code (any NumPy-like namespace ``xp``), float64.

Each function takes and returns float64 arrays. The methods, chosen so every region keeps
float64 accuracy without tabulated approximation coefficients:

- ``I0``, ``I1``: the power series for ``|x| <= 25`` (positive terms, no cancellation), the
  large-argument (Hankel) expansion beyond, where its smallest term is below 1e-20;
- ``K0``, ``K1`` (and ``K_nu`` for the Airy function): the logarithmic power series for
  ``x <= 2``; beyond, the trapezoidal rule on ``e^x K_nu(x) = int_0^inf exp(-x (cosh t - 1))
  cosh(nu t) dt``, which converges geometrically because the integrand is analytic in a strip
  (step chosen per element so the discretisation error stays near exp(-40));
- ``J0``, ``J1``, ``Y0``, ``Y1``: power series for ``x <= 2``; Miller's backward recurrence
  (normalised by ``J0 + 2 sum J_2k = 1``) with Neumann's series for ``Y0`` (and its derivative
  for ``Y1``) on ``2 < x <= 25``; the Hankel expansion beyond.
"""
from __future__ import annotations

import math

EULER_GAMMA = 0.57721566490153286061
_SERIES_TERMS = 60          # (x/2)^2k / k!^2 at x = 25 falls below 1e-18 of the sum by k = 45
_ASYMPTOTIC_TERMS = 30      # the Hankel terms at x = 25 fall below 1e-18 by k = 25
_LARGE = 25.0               # above it the Hankel expansions are exact to double precision
_SMALL = 2.0                # at or below it the logarithmic power series lose < 1 digit
_MILLER_START = 80          # J_80(25) / J_0(25) is below 1e-30
_TRAPEZOID_NODES = 48


def piecewise(xp, x, pieces, count=1):
    """Outputs (``count`` of them) filled region by region: ``pieces`` holds (mask, kernel) pairs,
    each kernel run only on its region's elements (so an element pays for one method only);
    elements in no region are nan."""
    outs = [xp.full(x.shape, math.nan) for _ in range(count)]
    for mask, kernel in pieces:
        if bool(mask.any()):
            values = kernel(x[mask])
            for out, value in zip(outs, values if count > 1 else (values,)):
                out[mask] = value
    return tuple(outs) if count > 1 else outs[0]


def _hankel_terms(xp, x, nu):
    """``a_k(nu) / x^k`` for k < _ASYMPTOTIC_TERMS (the coefficients of every Hankel expansion)."""
    terms = [xp.ones_like(x)]
    for k in range(1, _ASYMPTOTIC_TERMS):
        terms.append(terms[-1] * ((4 * nu * nu - (2 * k - 1) ** 2) / (8.0 * k)) / x)
    return terms


def _i_series(xp, x, nu):
    """``I_nu(x)`` for integer ``nu`` in {0, 1} and x >= 0 from its power series."""
    quarter_square = x * x / 4
    term = xp.ones_like(x) if nu == 0 else x / 2
    total = term
    for k in range(1, _SERIES_TERMS):
        term = term * quarter_square / (k * (k + nu))
        total = total + term
    return total


def _i_scaled_large(xp, x, nu):
    """``e^-|x| I_nu(|x|)`` for large |x| (the alternating Hankel expansion)."""
    ax = xp.abs(x)
    terms = _hankel_terms(xp, ax, nu)
    total = sum(term if k % 2 == 0 else -term for k, term in enumerate(terms))
    return total / xp.sqrt(2 * math.pi * ax)


def bessel_i_scaled(xp, x, nu):
    """``e^-|x| I_nu(x)`` for ``nu`` in {0, 1} (torch's ``i0e``, ``i1e``)."""
    ax = xp.abs(x)
    sign = xp.where(x < 0, -1.0, 1.0) if nu == 1 else 1.0
    out = piecewise(xp, x, [
        (ax <= _LARGE, lambda v: _i_series(xp, xp.abs(v), nu) * xp.exp(-xp.abs(v))),
        ((ax > _LARGE) & xp.isfinite(x), lambda v: _i_scaled_large(xp, v, nu)),
        (xp.isinf(x), lambda v: xp.zeros_like(v))])
    return out * sign if nu == 1 else out


def bessel_i(xp, x, nu):
    """``I_nu(x)`` for ``nu`` in {0, 1}: inf past float64's range, nan at +-inf (as PyTorch)."""
    ax = xp.abs(x)
    sign = xp.where(x < 0, -1.0, 1.0) if nu == 1 else 1.0

    def large(v):
        v = xp.abs(v)
        # e^x / sqrt(2 pi x) times the series, the exponent first so it overflows only past the range
        terms = _hankel_terms(xp, v, nu)
        series = sum(term if k % 2 == 0 else -term for k, term in enumerate(terms))
        return xp.exp(v - 0.5 * xp.log(2 * math.pi * v)) * series
    out = piecewise(xp, x, [(ax <= _LARGE, lambda v: _i_series(xp, xp.abs(v), nu)),
                            ((ax > _LARGE) & xp.isfinite(x), large)])
    return out * sign if nu == 1 else out


def _harmonic_series(xp, x, nu, sign):
    """``sum_k (H_k + H_{k+nu}) (sign x^2/4)^k / (k! (k+nu)!)`` (H the harmonic numbers)."""
    quarter_square = sign * x * x / 4
    weight = xp.ones_like(x)
    harmonic, harmonic_shifted = 0.0, (1.0 if nu == 1 else 0.0)
    total = weight * (harmonic + harmonic_shifted)
    for k in range(1, _SERIES_TERMS // 2):
        weight = weight * quarter_square / (k * (k + nu))
        harmonic += 1.0 / k
        harmonic_shifted += 1.0 / (k + nu)
        total = total + weight * (harmonic + harmonic_shifted)
    return total


def _k_series(xp, x, nu):
    """``K_nu(x)``, nu in {0, 1}, for 0 < x <= 2 (A&S 9.6.13 and 9.6.11)."""
    log_half = xp.log(x / 2) + EULER_GAMMA
    if nu == 0:
        return -log_half * _i_series(xp, x, 0) + 0.5 * _harmonic_series(xp, x, 0, 1.0)
    return 1 / x + log_half * _i_series(xp, x, 1) - (x / 4) * _harmonic_series(xp, x, 1, 1.0)


def bessel_k_scaled_trapezoid(xp, x, nu):
    """``e^x K_nu(x)`` for x >= 1 and any real ``nu`` from the trapezoidal rule.

    The step ``h`` keeps ``exp(-2 pi^2 / (h^2 x))`` (the error for large x) and
    ``exp(-pi^2 / h)`` (for moderate x) below 1e-17; 48 nodes reach past where the integrand
    drops below e^-45 of its peak for every x >= 1.
    """
    step = xp.minimum(0.25, 0.7 / xp.sqrt(x))
    total = 0.5 * xp.ones_like(x)
    for node in range(1, _TRAPEZOID_NODES):
        t = node * step
        # cosh t - 1 as 2 sinh(t/2)^2: no cancellation at the small t that large x needs
        total = total + xp.exp(-2 * x * xp.sinh(t / 2) ** 2) * xp.cosh(nu * t)
    return total * step


def bessel_k(xp, x, nu, scaled=False):
    """``K_nu(x)`` (``scaled``: ``e^x K_nu(x)``) for ``nu`` in {0, 1}: inf at 0, nan below."""
    def small(v):
        series = _k_series(xp, v, nu)
        return series * xp.exp(v) if scaled else series

    def large(v):
        integral = bessel_k_scaled_trapezoid(xp, v, nu)
        return integral if scaled else integral * xp.exp(-v)
    return piecewise(xp, x, [((x > 0) & (x <= _SMALL), small), ((x > _SMALL) & xp.isfinite(x), large),
                             (x == 0, lambda v: xp.full_like(v, math.inf)),
                             (xp.isposinf(x), lambda v: xp.zeros_like(v))])


# --- J and Y --------------------------------------------------------------------------
def _jy_series(xp, x):
    """``(J0, J1, Y0, Y1)`` for 0 < x <= 2 from the power series (A&S 9.1.10, 9.1.11)."""
    j0 = _alternating_series(xp, x, 0)
    j1 = _alternating_series(xp, x, 1)
    log_half = xp.log(x / 2)
    # psi(k+1) + psi(k+nu+1) = H_k + H_{k+nu} - 2 gamma
    y0 = (2 / math.pi) * (log_half + EULER_GAMMA) * j0 - (1 / math.pi) * _harmonic_series(xp, x, 0, -1.0)
    y1 = (-2 / (math.pi * x) + (2 / math.pi) * (log_half + EULER_GAMMA) * j1
          - (x / (2 * math.pi)) * _harmonic_series(xp, x, 1, -1.0))
    return j0, j1, y0, y1


def _alternating_series(xp, x, nu):
    quarter_square = -x * x / 4
    term = xp.ones_like(x) if nu == 0 else x / 2
    total = term
    for k in range(1, _SERIES_TERMS // 2):
        term = term * quarter_square / (k * (k + nu))
        total = total + term
    return total


def _jy_miller(xp, x):
    """``(J0, J1, Y0, Y1)`` for 2 <= x <= 25: Miller's recurrence and Neumann's series."""
    values = [None] * (_MILLER_START + 2)
    values[_MILLER_START + 1] = xp.zeros_like(x)
    values[_MILLER_START] = xp.full_like(x, 1e-30)
    for k in range(_MILLER_START, 0, -1):
        values[k - 1] = (2 * k / x) * values[k] - values[k + 1]
    norm = values[0] + 2 * sum(values[2 * m] for m in range(1, _MILLER_START // 2 + 1))
    even_sum = sum(((-1) ** m / m) * values[2 * m] for m in range(1, _MILLER_START // 2 + 1))
    odd_sum = sum(((-1) ** m / m) * (values[2 * m - 1] - values[2 * m + 1]) for m in range(1, _MILLER_START // 2))
    j0, j1 = values[0] / norm, values[1] / norm
    log_term = xp.log(x / 2) + EULER_GAMMA
    y0 = (2 / math.pi) * (log_term * j0 - 2 * even_sum / norm)
    # Y1 = -Y0', differentiating Neumann's series term by term (J_2m' = (J_2m-1 - J_2m+1) / 2)
    y1 = (2 / math.pi) * (log_term * j1 - j0 / x) + (2 / math.pi) * odd_sum / norm
    return j0, j1, y0, y1


def _jy_hankel(xp, x):
    """``(J0, J1, Y0, Y1)`` for x > 25 from the Hankel expansions."""
    scale = xp.sqrt(2 / (math.pi * x))
    cos_x, sin_x = xp.cos(x), xp.sin(x)
    results = []
    for nu in (0, 1):
        terms = _hankel_terms(xp, x, nu)
        p = sum(((-1) ** (k // 2)) * term for k, term in enumerate(terms) if k % 2 == 0)
        q = sum(((-1) ** (k // 2)) * term for k, term in enumerate(terms) if k % 2 == 1)
        phase = (nu / 2 + 0.25) * math.pi       # chi = x - phase, expanded so cos(x) keeps its accuracy
        cos_chi = cos_x * math.cos(phase) + sin_x * math.sin(phase)
        sin_chi = sin_x * math.cos(phase) - cos_x * math.sin(phase)
        results.append((scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)))
    (j0, y0), (j1, y1) = results
    return j0, j1, y0, y1


def bessel_jy(xp, x):
    """``(J0, J1, Y0, Y1)`` at every x (J0 even, J1 odd; Y nan below 0 and -inf at 0; nan at inf)."""
    ax = xp.abs(x)

    def at_zero(v):
        ones, minus_inf = xp.ones_like(v), xp.full_like(v, -math.inf)
        return ones, 0 * ones, minus_inf, minus_inf
    j0, j1, y0, y1 = piecewise(xp, ax, [
        ((ax <= _SMALL) & (ax > 0), lambda v: _jy_series(xp, v)),
        ((ax > _SMALL) & (ax <= _LARGE), lambda v: _jy_miller(xp, v)),
        ((ax > _LARGE) & xp.isfinite(x), lambda v: _jy_hankel(xp, v)),
        (x == 0, at_zero)], count=4)
    j1 = xp.where(x < 0, -j1, j1)
    y0, y1 = xp.where(x < 0, math.nan, y0), xp.where(x < 0, math.nan, y1)
    return j0, j1, y0, y1


def spherical_bessel_j0(xp, x):
    """``sin(x) / x``, from its Taylor series near 0 (where the quotient loses digits)."""
    small = xp.abs(x) < 0.5
    safe = xp.where(small, 1.0, x)
    square = x * x
    # 1 - x^2/3! + x^4/5! - ... ; at |x| < 0.5 eleven terms reach 1e-20
    taylor, term = xp.ones_like(x), xp.ones_like(x)
    for k in range(1, 11):
        term = -term * square / ((2 * k) * (2 * k + 1))
        taylor = taylor + term
    out = xp.where(small, taylor, xp.sin(safe) / safe)
    return xp.where(xp.isinf(x), 0.0, out)
