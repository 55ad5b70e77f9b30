"""The added families against scipy.stats, an oracle independent of PyTorch: log densities, cdfs,
entropies, means and variances in float64 (catches a formula Ember and PyTorch might share)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.distributions as ED

stats = pytest.importorskip("scipy.stats")
rng = np.random.default_rng(9)
A, B = rng.uniform(0.6, 3.0, size=3), rng.uniform(0.6, 3.0, size=3)
LOC = rng.normal(size=3)

# name -> (Ember family and parameters, the scipy distribution, values to score)
CASES = {
    "log_normal": (("LogNormal", dict(loc=LOC, scale=A)), stats.lognorm(A, scale=np.exp(LOC)), B),
    "half_normal": (("HalfNormal", dict(scale=A)), stats.halfnorm(scale=A), B),
    "half_cauchy": (("HalfCauchy", dict(scale=A)), stats.halfcauchy(scale=A), B),
    "cauchy": (("Cauchy", dict(loc=LOC, scale=A)), stats.cauchy(LOC, A), B - 1),
    "gumbel": (("Gumbel", dict(loc=LOC, scale=A)), stats.gumbel_r(LOC, A), B - 1),
    "student_t": (("StudentT", dict(df=A + 2, loc=LOC, scale=B)), stats.t(A + 2, LOC, B), B - 1),
    "chi2": (("Chi2", dict(df=A + 1)), stats.chi2(A + 1), B),
    "weibull": (("Weibull", dict(scale=A, concentration=B)), stats.weibull_min(B, scale=A), B),
    "pareto": (("Pareto", dict(scale=A, alpha=B + 2)), stats.pareto(B + 2, scale=A), A + B),
    "inverse_gamma": (("InverseGamma", dict(concentration=A + 2, rate=B)), stats.invgamma(A + 2, scale=B), B),
    "fisher_snedecor": (("FisherSnedecor", dict(df1=A + 4, df2=B + 4)), stats.f(A + 4, B + 4), B),
    "von_mises": (("VonMises", dict(loc=LOC, concentration=A)), stats.vonmises(A, loc=LOC), B - 1.5),
    "generalized_pareto": (("GeneralizedPareto", dict(loc=LOC, scale=A, concentration=B / 10)),
                           stats.genpareto(B / 10, LOC, A), LOC + B),
    "poisson": (("Poisson", dict(rate=A)), stats.poisson(A), np.array([0.0, 2.0, 5.0])),
    "geometric": (("Geometric", dict(probs=A / 4)), stats.geom(A / 4, loc=-1), np.array([0.0, 2.0, 5.0])),
    "negative_binomial": (("NegativeBinomial", dict(total_count=A, probs=B / 4)), stats.nbinom(A, 1 - B / 4),
                          np.array([0.0, 2.0, 5.0])),
}
SCIPY_ONLY_LOGPDF = {"poisson", "geometric", "negative_binomial"}
NO_CDF = {"von_mises", "student_t", "fisher_snedecor"}  # none in PyTorch either


def build(case):
    (family, params), reference, values = CASES[case]
    d = getattr(ED, family)(**{k: ember.tensor(v, dtype=ember.float64) for k, v in params.items()})
    return d, reference, values


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_density_and_cdf(case):
    d, reference, values = build(case)
    discrete = case in SCIPY_ONLY_LOGPDF
    expected = reference.logpmf(values) if discrete else reference.logpdf(values)
    np.testing.assert_allclose(d.log_prob(ember.tensor(values)).numpy(), expected, rtol=1e-10, atol=1e-12)
    if not discrete and case not in NO_CDF:
        np.testing.assert_allclose(d.cdf(ember.tensor(values)).numpy(), reference.cdf(values), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_entropy_and_moments(case):
    d, reference, _ = build(case)
    try:
        entropy = d.entropy().detach().numpy()
    except NotImplementedError:
        entropy = None
    if entropy is not None:  # (those without one have none in PyTorch either)
        np.testing.assert_allclose(entropy, reference.entropy(), rtol=1e-9, atol=1e-12)
    if case == "von_mises":
        return  # its variance is the circular one (test_families_sampling)
    mean, variance = reference.stats(moments="mv")
    np.testing.assert_allclose(d.mean.numpy(), mean, rtol=1e-10, equal_nan=True)
    if case == "cauchy":
        variance = np.full(3, np.inf)  # scipy says nan, PyTorch (and Ember) inf
    np.testing.assert_allclose(d.variance.numpy(), variance, rtol=1e-10, equal_nan=True)


def test_von_mises_large_concentration_stays_finite():
    """i0e keeps log I0 finite where I0 itself overflows (kappa above ~700 in float64, ~88 in float32)."""
    kappa = np.array([50.0, 800.0, 5000.0])
    values = np.array([0.01, -0.02, 0.001])
    for dtype in (ember.float64, ember.float32):
        concentration = ember.tensor(kappa, dtype=dtype, requires_grad=True)
        d = ED.VonMises(ember.zeros(3, dtype=dtype), concentration)
        log_prob = d.log_prob(ember.tensor(values, dtype=dtype))
        tol = 1e-10 if dtype is ember.float64 else 1e-4
        np.testing.assert_allclose(log_prob.detach().numpy(), stats.vonmises(kappa).logpdf(values), rtol=tol)
        log_prob.sum().backward()
        assert np.all(np.isfinite(concentration.grad.numpy()))
        special = pytest.importorskip("scipy.special")
        circular_variance = 1 - special.i1e(kappa) / special.i0e(kappa)
        np.testing.assert_allclose(d.variance.detach().numpy(), circular_variance, rtol=tol, atol=1e-7)
