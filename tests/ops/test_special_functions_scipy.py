"""``ember.special``'s NumPy kernels (Bessel, Airy, erfcx, incomplete gamma, zeta) against SciPy
on dense float64 grids, where PyTorch's own float64 is not accurate enough to be the reference
(its J0/J1/Y0/Y1 are off by up to 9e-7, its Ai by 6e-6 near x = -2, its incomplete gamma by
2e-9 relative for large a); plus the gradient errors and dtype rules PyTorch has.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.errors import EmberError

special = pytest.importorskip("scipy.special")

GRID = np.concatenate([np.linspace(-60, 60, 48001), np.geomspace(1e-10, 700, 4001), [0.0, 2.0, 25.0]])
POSITIVE = GRID[GRID > 0]


def _ember(name, x):
    with np.errstate(all="ignore"):
        return getattr(ember.special, name)(ember.tensor(x, dtype=ember.float64)).numpy()


def _close(actual, expected, rtol, atol=0.0):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("name, reference, grid, atol", [
    ("bessel_j0", special.j0, GRID, 2e-15), ("bessel_j1", special.j1, GRID, 2e-15),
    ("bessel_y0", special.y0, POSITIVE, 2e-15), ("bessel_y1", special.y1, POSITIVE, 2e-15),
    ("spherical_bessel_j0", lambda x: special.spherical_jn(0, x), GRID, 1e-16),
    ("airy_ai", lambda x: special.airy(x)[0], GRID, 5e-14),  # the phase (2/3) |x|^1.5 costs 300 ulp at x = -60
])
def test_oscillating_functions_match_scipy(name, reference, grid, atol):
    """Within 2e-15 absolute (the values cross zero) and 1e-12 relative; SciPy's own phase
    x - pi/4 loses x * 1e-16 at large x, so the grid stops at 60."""
    _close(_ember(name, grid), reference(grid), rtol=1e-12, atol=atol)


@pytest.mark.parametrize("name, reference, grid", [
    ("i0e", special.i0e, GRID), ("i1e", special.i1e, GRID),
    ("modified_bessel_i0", special.i0, GRID[np.abs(GRID) < 700]),
    ("modified_bessel_i1", special.i1, GRID[np.abs(GRID) < 700]),
    ("modified_bessel_k0", special.k0, POSITIVE), ("modified_bessel_k1", special.k1, POSITIVE),
    ("scaled_modified_bessel_k0", special.k0e, POSITIVE), ("scaled_modified_bessel_k1", special.k1e, POSITIVE),
    ("erfcx", special.erfcx, GRID[GRID > -26]),
])
def test_monotone_functions_match_scipy_relatively(name, reference, grid):
    """Relative 1e-13 (the exponential factor at |x| ~ 700 costs x * 1e-16 in both)."""
    _close(_ember(name, grid), reference(grid), rtol=1e-13)


def test_incomplete_gamma_matches_scipy():
    rng = np.random.default_rng(0)
    a = np.exp(rng.uniform(np.log(1e-3), np.log(2e3), 20000))
    x = a * np.exp(rng.uniform(-3, 3, a.size))
    x[:4000] = a[:4000] * (1 + rng.normal(0, 0.01, 4000))   # the transition x ~ a, hardest for large a
    tensors = ember.tensor(a), ember.tensor(x)
    _close(ember.special.gammainc(*tensors).numpy(), special.gammainc(a, x), rtol=1e-10, atol=1e-300)
    _close(ember.special.gammaincc(*tensors).numpy(), special.gammaincc(a, x), rtol=1e-10, atol=1e-300)


def test_zeta_matches_scipy():
    rng = np.random.default_rng(1)
    s = rng.uniform(1.001, 40, 20000)
    q = np.exp(rng.uniform(np.log(1e-3), np.log(1e7), s.size))
    _close(ember.special.zeta(ember.tensor(s), ember.tensor(q)).numpy(), special.zeta(s, q), rtol=1e-13)


@pytest.mark.parametrize("name, argument", [("gammainc", "the shape a"), ("gammaincc", "the shape a"),
                                            ("zeta", "the exponent s")])
def test_first_argument_has_no_derivative(name, argument):
    """As in PyTorch (``derivative for 'igamma: input' is not implemented``), naming the op."""
    first = ember.tensor([2.0, 3.0], requires_grad=True)
    second = ember.tensor([1.5, 2.5], requires_grad=True)
    out = getattr(ember.special, name)(first, second)
    with pytest.raises(EmberError, match=f"{name}: the derivative with respect to 'input' \\({argument}\\)"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="not implemented"):
        reference_first = torch.tensor([2.0, 3.0], requires_grad=True)
        getattr(torch.special, name)(reference_first, torch.tensor([1.5, 2.5])).sum().backward()


@pytest.mark.parametrize("name", ["bessel_j0", "modified_bessel_k1", "airy_ai", "spherical_bessel_j0"])
def test_bessel_family_is_not_differentiable_as_in_torch(name):
    x = ember.tensor([0.5, 1.5], requires_grad=True)
    out = getattr(ember.special, name)(x)
    assert not out.requires_grad
    assert not getattr(torch.special, name)(torch.tensor([0.5, 1.5], requires_grad=True)).requires_grad
    with pytest.raises(Exception, match="require"):
        out.sum().backward()


def test_polynomials_are_not_differentiable_and_promote_like_torch():
    x = ember.tensor([0.25, 0.5], requires_grad=True)
    assert not ember.special.legendre_polynomial_p(x, 3).requires_grad
    cases = [(ember.tensor([1, 2]), 3, torch.tensor([1, 2]), 3),
             (ember.tensor([0.5]), ember.tensor(3, dtype=ember.float64), torch.tensor([0.5]),
              torch.tensor(3, dtype=torch.float64)),
             (ember.tensor([0.5]), ember.tensor([3.0], dtype=ember.float64), torch.tensor([0.5]),
              torch.tensor([3.0], dtype=torch.float64)),
             (0.5, ember.tensor([2, 3]), 0.5, torch.tensor([2, 3]))]
    for x, n, tx, tn in cases:
        ours = ember.special.chebyshev_polynomial_t(x, n)
        theirs = torch.special.chebyshev_polynomial_t(tx, tn)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_integer_inputs_become_the_default_float():
    assert ember.special.i0e(ember.tensor([1, 2])).dtype == ember.float32
    assert ember.special.bessel_j0(ember.tensor([1, 2])).dtype == ember.float32
    assert ember.special.zeta(ember.tensor([2, 3]), 1).dtype == ember.float32
    assert ember.igamma(ember.tensor([1, 2]), ember.tensor([1.0, 2.0], dtype=ember.float64)).dtype == ember.float64


def test_top_level_and_method_names():
    a, x = ember.tensor([1.0, 2.5]), ember.tensor([0.5, 3.0])
    expected = torch.igamma(torch.tensor([1.0, 2.5]), torch.tensor([0.5, 3.0])).numpy()
    np.testing.assert_allclose(ember.igamma(a, x).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(a.igamma(x).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(ember.igammac(a, x).numpy(), 1 - expected, rtol=1e-6)
    copy = a.clone()
    copy.igammac_(x)
    np.testing.assert_allclose(copy.numpy(), 1 - expected, rtol=1e-6)
    assert ember.special.multigammaln(ember.tensor(2.5), 2).item() == pytest.approx(
        torch.special.multigammaln(torch.tensor(2.5), 2).item(), rel=1e-6)


def test_scaled_bessel_gradients_at_zero_match_torch():
    for name in ("i0e", "i1e"):
        x = ember.tensor([0.0, -0.0], dtype=ember.float64, requires_grad=True)
        getattr(ember.special, name)(x).sum().backward()
        reference = torch.tensor([0.0, -0.0], dtype=torch.float64, requires_grad=True)
        getattr(torch.special, name)(reference).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), reference.grad.numpy())
