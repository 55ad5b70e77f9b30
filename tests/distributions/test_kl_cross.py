"""KL divergences between different families against torch.distributions.kl_divergence (values
and gradients in both distributions' parameters), with Monte Carlo checks of a few."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

DISTRIBUTIONS = {
    "normal": ("Normal", dict(loc=[0.3, -0.5], scale=[1.2, 0.7])),
    "laplace": ("Laplace", dict(loc=[0.1, 0.4], scale=[0.8, 1.5])),
    "exponential": ("Exponential", dict(rate=[0.7, 2.0])),
    "gamma": ("Gamma", dict(concentration=[1.5, 3.0], rate=[0.8, 2.0])),
    "beta": ("Beta", dict(concentration1=[1.5, 3.0], concentration0=[0.8, 2.0])),
    "uniform": ("Uniform", dict(low=[0.2, 0.5], high=[0.7, 0.9])),
    "uniform_wide": ("Uniform", dict(low=[-1.0, -0.5], high=[2.0, 1.5])),
    "uniform_positive": ("Uniform", dict(low=[1.5, 2.0], high=[3.0, 4.5])),
    "gumbel": ("Gumbel", dict(loc=[0.2, -0.3], scale=[1.1, 0.6])),
    "pareto": ("Pareto", dict(scale=[1.0, 0.5], alpha=[2.5, 3.5])),
    "continuous_bernoulli": ("ContinuousBernoulli", dict(probs=[0.3, 0.8])),
    "bernoulli": ("Bernoulli", dict(probs=[0.3, 0.8])),
    "poisson": ("Poisson", dict(rate=[0.7, 2.0])),
}
PAIRS = [("bernoulli", "poisson"), ("beta", "continuous_bernoulli"), ("beta", "exponential"), ("beta", "gamma"),
         ("beta", "normal"), ("beta", "uniform_wide"), ("continuous_bernoulli", "exponential"),
         ("continuous_bernoulli", "normal"), ("continuous_bernoulli", "uniform_wide"), ("exponential", "gamma"),
         ("exponential", "gumbel"), ("exponential", "normal"), ("gamma", "exponential"), ("gamma", "gumbel"),
         ("gamma", "normal"), ("gumbel", "normal"), ("laplace", "normal"), ("normal", "gumbel"),
         ("normal", "laplace"), ("pareto", "exponential"), ("pareto", "gamma"), ("pareto", "normal"),
         ("uniform", "beta"), ("uniform", "continuous_bernoulli"), ("uniform_positive", "exponential"),
         ("uniform_positive", "gamma"), ("uniform", "gumbel"), ("uniform", "normal"), ("uniform_positive", "pareto")]
INFINITE = [("beta", "pareto"), ("continuous_bernoulli", "pareto"), ("exponential", "beta"), ("exponential", "uniform"),
            ("gamma", "beta"), ("gamma", "pareto"), ("gumbel", "exponential"), ("laplace", "gamma"),
            ("normal", "uniform"), ("normal", "exponential"), ("pareto", "beta"), ("poisson", "bernoulli"),
            ("uniform_wide", "exponential"), ("beta", "uniform"), ("pareto", "uniform")]


def build(lib, key):
    family, params = DISTRIBUTIONS[key]
    tensors = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in params.values()]
    module = ED if lib is ember else TD
    return getattr(module, family)(**dict(zip(params, tensors))), tensors


@pytest.mark.parametrize("p_key,q_key", PAIRS)
def test_cross_kl_matches_torch(p_key, q_key):
    out = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        (p, p_tensors), (q, q_tensors) = build(lib, p_key), build(lib, q_key)
        kl = module.kl_divergence(p, q)
        out[lib.__name__] = (kl, *lib.autograd.grad(kl.sum(), p_tensors + q_tensors))
    for mine, reference in zip(out["ember"], out["torch"]):
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("p_key,q_key", INFINITE)
def test_support_mismatch_gives_infinity_like_torch(p_key, q_key):
    ours = ED.kl_divergence(build(ember, p_key)[0], build(ember, q_key)[0]).detach().numpy()
    theirs = TD.kl_divergence(build(torch, p_key)[0], build(torch, q_key)[0]).detach().numpy()
    np.testing.assert_array_equal(ours, theirs)
    assert np.isinf(ours).any()


@pytest.mark.parametrize("p_key,q_key", [("gamma", "gumbel"), ("uniform", "beta"), ("pareto", "normal"),
                                         ("normal", "laplace")])
def test_cross_kl_matches_monte_carlo(p_key, q_key):
    p, q = build(ember, p_key)[0], build(ember, q_key)[0]
    ember.manual_seed(0)
    draws = p.sample((200000,))
    log_ratio = (p.log_prob(draws) - q.log_prob(draws)).detach().numpy()
    error = log_ratio.std(0) / np.sqrt(len(log_ratio))
    assert np.all(np.abs(log_ratio.mean(0) - ED.kl_divergence(p, q).detach().numpy()) < 5 * error)
