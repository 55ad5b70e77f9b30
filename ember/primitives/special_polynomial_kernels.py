"""The classical orthogonal polynomials of ``torch.special`` in plain array code (float64).

Each takes ``x`` and an integer degree array ``n`` (PyTorch truncates a floating degree toward
zero) broadcast together and follows PyTorch's definition: 0 for a negative degree, the exact
values at the interval ends, the trigonometric closed form of the Chebyshev kinds inside
(-1, 1) for higher degrees, and the three-term recurrence otherwise, run to each element's own
degree (so the cost grows with the largest degree present).
"""
from __future__ import annotations

import numpy


def _recurrence(xp, n, first, second, step):
    """Degree-``n`` values of a sequence with ``p_0 = first``, ``p_1 = second`` and
    ``p_(k+1) = step(k, p_k, p_(k-1))``, each element stopped at its own degree."""
    previous, current = first, second
    out = xp.where(n == 0, first, second)
    top = int(n.max()) if n.size else 0
    for k in range(1, top):
        previous, current = current, step(k, current, previous)
        out = xp.where(n == k + 1, current, out)
    return xp.where(n < 0, 0.0, out)


def _degree(xp, x, n):
    x, n = xp.broadcast_arrays(xp.asarray(x, dtype=numpy.float64), xp.asarray(n))
    if n.dtype.kind == "f":
        n = xp.trunc(xp.where(xp.isfinite(n), n, 0.0))
    return x, n.astype(numpy.int64)


def _chebyshev_recurrence(xp, x, n, second):
    return _recurrence(xp, n, xp.ones_like(x), second, lambda k, p, q: 2 * x * p - q)


def chebyshev_t(xp, x, n):
    x, n = _degree(xp, x, n)
    out = _chebyshev_recurrence(xp, x, n, x)
    inside = (n > 6) & (xp.abs(x) < 1)
    out = xp.where(inside, xp.cos(n * xp.arccos(xp.clip(x, -1, 1))), out)
    ends = xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0)
    return xp.where((xp.abs(x) == 1) & (n >= 0), ends, out)


def chebyshev_u(xp, x, n):
    x, n = _degree(xp, x, n)
    out = _chebyshev_recurrence(xp, x, n, 2 * x)
    angle = xp.arccos(xp.clip(x, -1, 1))
    sine = xp.sin(angle)
    safe_sine = xp.where(sine == 0, 1.0, sine)
    safe_x = xp.where(x == 0, 1.0, x)
    closed = xp.where(sine != 0, xp.sin((n + 1) * angle) / safe_sine, (n + 1) * xp.cos((n + 1) * angle) / safe_x)
    out = xp.where((n > 8) & (xp.abs(x) < 1), closed, out)
    ends = xp.where((x > 0) | (n % 2 == 0), n + 1.0, -(n + 1.0))
    return xp.where((xp.abs(x) == 1) & (n >= 0), ends, out)


def chebyshev_v(xp, x, n):
    x, n = _degree(xp, x, n)
    out = _chebyshev_recurrence(xp, x, n, 2 * x - 1)
    angle = xp.arccos(xp.clip(x, -1, 1))
    half_cos = xp.cos(angle / 2)
    odd_end = xp.where(n % 2 == 0, 2.0 * n + 1, -(2.0 * n + 1))
    closed = xp.where(xp.sin(angle / 2) != 1,
                      xp.cos((n + 0.5) * angle) / xp.where(half_cos == 0, 1.0, half_cos), odd_end)
    out = xp.where((n > 8) & (xp.abs(x) < 1), closed, out)
    ends = xp.where(x > 0, 1.0, odd_end)
    return xp.where((xp.abs(x) == 1) & (n >= 0), ends, out)


def chebyshev_w(xp, x, n):
    x, n = _degree(xp, x, n)
    out = _chebyshev_recurrence(xp, x, n, 2 * x + 1)
    angle = xp.arccos(xp.clip(x, -1, 1))
    half_sin = xp.sin(angle / 2)
    ends = xp.where(x > 0, 2.0 * n + 1, xp.where(n % 2 == 0, 1.0, -1.0))
    closed = xp.where(xp.cos(angle / 2) != 1,
                      xp.sin((n + 0.5) * angle) / xp.where(half_sin == 0, 1.0, half_sin), ends)
    out = xp.where((n > 8) & (xp.abs(x) < 1), closed, out)
    return xp.where((xp.abs(x) == 1) & (n >= 0), ends, out)


def shifted(kernel):
    """The shifted polynomial ``p*(x) = p(2x - 1)`` on [0, 1]."""
    def run(xp, x, n):
        return kernel(xp, 2 * xp.asarray(x, dtype=numpy.float64) - 1, n)
    return run


def hermite_h(xp, x, n):
    """Physicists' Hermite: ``H_(k+1) = 2x H_k - 2k H_(k-1)``."""
    x, n = _degree(xp, x, n)
    return _recurrence(xp, n, xp.ones_like(x), 2 * x, lambda k, p, q: 2 * x * p - 2 * k * q)


def hermite_he(xp, x, n):
    """Probabilists' Hermite: ``He_(k+1) = x He_k - k He_(k-1)``."""
    x, n = _degree(xp, x, n)
    return _recurrence(xp, n, xp.ones_like(x), x, lambda k, p, q: x * p - k * q)


def laguerre_l(xp, x, n):
    """``(k+1) L_(k+1) = (2k + 1 - x) L_k - k L_(k-1)``; 1 at x = 0 for every degree >= 0."""
    x, n = _degree(xp, x, n)
    out = _recurrence(xp, n, xp.ones_like(x), 1 - x, lambda k, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1))
    return xp.where((x == 0) & (n >= 0), 1.0, out)


def legendre_p(xp, x, n):
    """``(k+1) P_(k+1) = (2k+1) x P_k - k P_(k-1)``; +-1 at the interval ends."""
    x, n = _degree(xp, x, n)
    out = _recurrence(xp, n, xp.ones_like(x), x, lambda k, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))
    ends = xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0)
    return xp.where((xp.abs(x) == 1) & (n >= 0), ends, out)


KERNELS = {
    "chebyshev_polynomial_t": chebyshev_t, "chebyshev_polynomial_u": chebyshev_u,
    "chebyshev_polynomial_v": chebyshev_v, "chebyshev_polynomial_w": chebyshev_w,
    "shifted_chebyshev_polynomial_t": shifted(chebyshev_t), "shifted_chebyshev_polynomial_u": shifted(chebyshev_u),
    "shifted_chebyshev_polynomial_v": shifted(chebyshev_v), "shifted_chebyshev_polynomial_w": shifted(chebyshev_w),
    "hermite_polynomial_h": hermite_h, "hermite_polynomial_he": hermite_he,
    "laguerre_polynomial_l": laguerre_l, "legendre_polynomial_p": legendre_p,
}
