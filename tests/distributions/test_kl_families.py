"""KL divergences of the added families against torch.distributions.kl_divergence: values and
gradients in both distributions' parameters; and against a Monte Carlo estimate
E_p[log p - log q], which does not trust either library's closed form."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

rng = np.random.default_rng(11)


def positive(*shape, low=0.5, high=3.0):
    return rng.uniform(low, high, size=shape)


def unit(*shape):
    return rng.uniform(0.1, 0.9, size=shape)


LOW_RANK_Q = dict(loc=rng.normal(size=3), cov_factor=rng.normal(size=(3, 2)), cov_diag=positive(3))
# name -> (family, p parameters, q parameters, fixed keyword arguments)
PAIRS = {
    "poisson": ("Poisson", dict(rate=positive(3)), dict(rate=positive(3)), {}),
    "binomial": ("Binomial", dict(probs=unit(3)), dict(probs=unit(3)), dict(total_count=5)),
    "geometric": ("Geometric", dict(probs=unit(3)), dict(probs=unit(3)), {}),
    "continuous_bernoulli": ("ContinuousBernoulli", dict(probs=np.array([0.2, 0.4995, 0.8])),
                             dict(probs=np.array([0.6, 0.3, 0.5003])), {}),
    "gumbel": ("Gumbel", dict(loc=rng.normal(size=3), scale=positive(3)),
               dict(loc=rng.normal(size=3), scale=positive(3)), {}),
    "half_normal": ("HalfNormal", dict(scale=positive(3)), dict(scale=positive(3)), {}),
    "cauchy": ("Cauchy", dict(loc=rng.normal(size=3), scale=positive(3)),
               dict(loc=rng.normal(size=3), scale=positive(3)), {}),
    "pareto": ("Pareto", dict(scale=np.array([1.0, 2.0, 0.5]), alpha=positive(3)),
               dict(scale=np.array([0.5, 1.0, 1.0]), alpha=positive(3)), {}),
    "log_normal": ("LogNormal", dict(loc=rng.normal(size=3), scale=positive(3)),
                   dict(loc=rng.normal(size=3), scale=positive(3)), {}),
    "chi2": ("Chi2", dict(df=positive(3)), dict(df=positive(3)), {}),
    "low_rank": ("LowRankMultivariateNormal", dict(loc=rng.normal(size=3), cov_factor=rng.normal(size=(3, 2)),
                                                  cov_diag=positive(3)), LOW_RANK_Q, {}),
}


def build(lib, family, params, fixed, grad=True):
    module = ED if lib is ember else TD
    tensors = {k: lib.tensor(v, dtype=lib.float64, requires_grad=grad) for k, v in params.items()}
    return getattr(module, family)(**tensors, **fixed), list(tensors.values())


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_matches_torch_with_gradients(name):
    family, p_params, q_params, fixed = PAIRS[name]
    results = {}
    for lib in (ember, torch):
        p, p_tensors = build(lib, family, p_params, fixed)
        q, q_tensors = build(lib, family, q_params, fixed)
        module = ED if lib is ember else TD
        kl = module.kl_divergence(p, q)
        finite = lib.isfinite(kl)
        total = lib.where(finite, kl, lib.zeros_like(kl)).sum()
        results[lib.__name__] = (kl.detach().numpy(), lib.autograd.grad(total, p_tensors + q_tensors))
    ours, theirs = results["ember"], results["torch"]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-8, atol=1e-10)
    for mine, reference in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", ["poisson", "gumbel", "half_normal", "cauchy", "log_normal", "low_rank",
                                  "continuous_bernoulli", "geometric"])
def test_kl_matches_a_monte_carlo_estimate(name):
    family, p_params, q_params, fixed = PAIRS[name]
    p, _ = build(ember, family, p_params, fixed, grad=False)
    q, _ = build(ember, family, q_params, fixed, grad=False)
    ember.manual_seed(0)
    draws = p.sample((100000,))
    log_ratio = (p.log_prob(draws) - q.log_prob(draws)).numpy()
    error = log_ratio.std(0) / np.sqrt(len(log_ratio))
    assert np.all(np.abs(log_ratio.mean(0) - ED.kl_divergence(p, q).numpy()) < 5 * error + 1e-9)


def test_mixed_and_unsupported_pairs():
    identity = np.eye(3)
    mvn = ED.MultivariateNormal(ember.zeros(3, dtype=ember.float64), covariance_matrix=ember.tensor(identity))
    low_rank, _ = build(ember, "LowRankMultivariateNormal", LOW_RANK_Q, {}, grad=False)
    t_mvn = TD.MultivariateNormal(torch.zeros(3, dtype=torch.float64), covariance_matrix=torch.tensor(identity))
    t_low_rank, _ = build(torch, "LowRankMultivariateNormal", LOW_RANK_Q, {}, grad=False)
    np.testing.assert_allclose(float(ED.kl_divergence(mvn, low_rank)), float(TD.kl_divergence(t_mvn, t_low_rank)),
                               rtol=1e-9)
    np.testing.assert_allclose(float(ED.kl_divergence(low_rank, mvn)), float(TD.kl_divergence(t_low_rank, t_mvn)),
                               rtol=1e-9)
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        ED.kl_divergence(ED.Binomial(2, probs=ember.tensor(0.5)), ED.Binomial(3, probs=ember.tensor(0.5)))
    with pytest.raises(NotImplementedError, match="different exponential families"):
        ED.kl_divergence(ED.Poisson(ember.tensor(1.0)), ED.ContinuousBernoulli(ember.tensor(0.3)))
    with pytest.raises(NotImplementedError, match="different transforms"):
        ED.kl_divergence(ED.LogNormal(0.0, 1.0), ED.TransformedDistribution(ED.Normal(0.0, 1.0), ED.SigmoidTransform()))


def test_exponential_family_entropy_and_bregman_kl():
    """The generic Bregman forms agree with the closed forms they stand in for."""
    rate = ember.tensor([0.5, 2.0, 7.0], dtype=ember.float64)
    p, q = ED.Poisson(rate), ED.Poisson(rate * 1.7)
    bregman = ED.kl_families._kl_expfamily_expfamily(p, q)
    np.testing.assert_allclose(bregman.detach().numpy(), ED.kl_divergence(p, q).numpy(), rtol=1e-12)
    probs = ember.tensor([0.2, 0.7], dtype=ember.float64)
    generic = ED.ExponentialFamily.entropy(ED.ContinuousBernoulli(probs))
    np.testing.assert_allclose(generic.detach().numpy(), ED.ContinuousBernoulli(probs).entropy().numpy(), rtol=1e-10)


@pytest.mark.parametrize("family,p_params,q_params", [
    ("Normal", dict(loc=[0.3, -1.0], scale=[1.2, 0.4]), dict(loc=[1.0, 0.0], scale=[0.7, 2.0])),
    ("Exponential", dict(rate=[0.5, 3.0]), dict(rate=[1.5, 0.2])),
    ("Gamma", dict(concentration=[0.7, 4.0], rate=[1.0, 2.0]), dict(concentration=[2.0, 1.5], rate=[0.5, 3.0])),
    ("Beta", dict(concentration1=[0.7, 4.0], concentration0=[1.0, 2.0]),
     dict(concentration1=[2.0, 1.5], concentration0=[0.5, 3.0])),
    ("Dirichlet", dict(concentration=[[0.7, 4.0, 1.0]]), dict(concentration=[[2.0, 1.5, 0.5]])),
    ("Bernoulli", dict(probs=[0.2, 0.9]), dict(probs=[0.6, 0.5])),
])
def test_exponential_families_bregman_forms_equal_their_closed_forms(family, p_params, q_params):
    """Normal ... Bernoulli are ExponentialFamily members (as PyTorch's): the generic entropy and
    Bregman KL from their natural parameters equal the closed forms."""
    p, _ = build(ember, family, p_params, {}, grad=False)
    q, _ = build(ember, family, q_params, {}, grad=False)
    assert isinstance(p, ED.ExponentialFamily)
    bregman = ED.kl_families._kl_expfamily_expfamily(p, q).detach().numpy()
    np.testing.assert_allclose(bregman, ED.kl_divergence(p, q).numpy(), rtol=1e-10, atol=1e-12)
    if family not in ("Beta", "Dirichlet"):  # PyTorch gives those no mean carrier measure either
        generic = ED.ExponentialFamily.entropy(p).detach().numpy()
        np.testing.assert_allclose(generic, p.entropy().numpy(), rtol=1e-10, atol=1e-12)
