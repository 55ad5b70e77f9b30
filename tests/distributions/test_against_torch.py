"""ember.distributions against torch.distributions: the same parameters give the same
log_prob, entropy, moments, KL divergences and gradients; samples have the right shapes
and the right distribution."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

rng = np.random.default_rng(0)


def positive(*shape):
    return rng.uniform(0.5, 3.0, size=shape)


def unit(*shape):
    return rng.uniform(0.1, 0.9, size=shape)


def simplex(*shape):
    x = rng.uniform(0.1, 1.0, size=shape)
    return x / x.sum(-1, keepdims=True)


def spd(batch, k):
    a = rng.normal(size=(batch, k, k))
    return a @ a.transpose(0, 2, 1) + k * np.eye(k)


# name -> (constructor name, parameters by keyword, values to score)
CASES = {
    "normal": ("Normal", {"loc": rng.normal(size=(3,)), "scale": positive(3)}, rng.normal(size=(2, 3))),
    "laplace": ("Laplace", {"loc": rng.normal(size=(3,)), "scale": positive(3)}, rng.normal(size=(2, 3))),
    "uniform": ("Uniform", {"low": np.zeros(3), "high": positive(3) + 1.0}, unit(2, 3)),
    "exponential": ("Exponential", {"rate": positive(4)}, positive(4)),
    "bernoulli_probs": ("Bernoulli", {"probs": unit(4)}, rng.integers(0, 2, size=(4,)).astype(float)),
    "bernoulli_logits": ("Bernoulli", {"logits": rng.normal(size=(4,))}, rng.integers(0, 2, size=(4,)).astype(float)),
    "categorical_probs": ("Categorical", {"probs": simplex(2, 5)}, rng.integers(0, 5, size=(3, 2))),
    "categorical_logits": ("Categorical", {"logits": rng.normal(size=(2, 5))}, rng.integers(0, 5, size=(2,))),
    "gamma": ("Gamma", {"concentration": positive(3), "rate": positive(3)}, positive(3)),
    "beta": ("Beta", {"concentration1": positive(3), "concentration0": positive(3)}, unit(3)),
    "dirichlet": ("Dirichlet", {"concentration": positive(2, 4)}, simplex(2, 4)),
    "mvn_cov": ("MultivariateNormal", {"loc": rng.normal(size=(2, 3)), "covariance_matrix": spd(2, 3)},
                rng.normal(size=(2, 3))),
    "mvn_tril": ("MultivariateNormal", {"loc": rng.normal(size=(3,)),
                                        "scale_tril": np.linalg.cholesky(spd(1, 3)[0])}, rng.normal(size=(4, 3))),
    "mvn_precision": ("MultivariateNormal", {"loc": rng.normal(size=(3,)), "precision_matrix": spd(1, 3)[0]},
                      rng.normal(size=(3,))),
}
DISCRETE_VALUES = {"Categorical"}


def build(module, name, params, requires_grad=True):
    lib = torch if module is TD else ember
    tensors = {k: lib.tensor(v, dtype=lib.float64, requires_grad=requires_grad) for k, v in params.items()}
    return getattr(module, name)(**tensors), tensors


def as_value(lib, name, value):
    return lib.tensor(value, dtype=lib.long if name in DISCRETE_VALUES else lib.float64)


def close(ours, theirs, tol=1e-8):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy(), dtype=float),
                               theirs.detach().numpy().astype(float), rtol=tol, atol=tol)


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_prob_entropy_and_gradients(case):
    name, params, value = CASES[case]
    ours, our_params = build(ED, name, params)
    theirs, their_params = build(TD, name, params)
    our_lp = ours.log_prob(as_value(ember, name, value))
    their_lp = theirs.log_prob(as_value(torch, name, value))
    close(our_lp, their_lp)
    our_total = our_lp.sum() + ours.entropy().sum()
    their_total = their_lp.sum() + theirs.entropy().sum()
    close(ours.entropy(), theirs.entropy())
    our_grads = ember.autograd.grad(our_total, list(our_params.values()))
    their_grads = torch.autograd.grad(their_total, list(their_params.values()))
    for mine, reference in zip(our_grads, their_grads):
        close(mine, reference, 1e-7)


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapes_and_moments(case):
    name, params, _ = CASES[case]
    ours, _ = build(ED, name, params, requires_grad=False)
    theirs, _ = build(TD, name, params, requires_grad=False)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert tuple(ours.sample((5, 2)).shape) == tuple(theirs.sample((5, 2)).shape)
    for moment in ("mean", "variance"):
        np.testing.assert_allclose(getattr(ours, moment).numpy(), getattr(theirs, moment).numpy(),
                                   rtol=1e-8, atol=1e-8, equal_nan=True)


@pytest.mark.parametrize("case", ["normal", "laplace", "uniform", "exponential", "bernoulli_probs",
                                  "categorical_probs", "gamma", "beta", "dirichlet", "mvn_cov"])
def test_samples_follow_the_distribution(case):
    """Sample mean and variance over 40,000 draws match the distribution's (a test that fails
    for a wrong sampler: the tolerances are 5 standard errors)."""
    name, params, _ = CASES[case]
    ember.manual_seed(0)
    ours, _ = build(ED, name, params, requires_grad=False)
    draws = ours.sample((40000,)).numpy().astype(float)
    mean, variance = ours.mean.numpy(), ours.variance.numpy()
    if name == "Categorical":
        probs = ours.probs.numpy()
        frequencies = np.stack([(draws == k).mean(0) for k in range(probs.shape[-1])], -1)
        np.testing.assert_allclose(frequencies, probs, atol=5 * np.sqrt(0.25 / 40000))
        return
    standard_error = np.sqrt(variance / 40000)
    assert np.all(np.abs(draws.mean(0) - mean) < 5 * standard_error + 1e-12)
    np.testing.assert_allclose(draws.var(0), variance, rtol=0.05)


def test_rsample_is_differentiable_and_reproducible():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([2.0, 0.5], requires_grad=True)
    ember.manual_seed(3)
    first = ED.Normal(loc, scale).rsample((4,))
    first.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [4.0, 4.0])
    eps = (first.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-6)
    ember.manual_seed(3)
    again = ED.Normal(loc, scale).rsample((4,))
    np.testing.assert_array_equal(first.detach().numpy(), again.detach().numpy())


KL_PAIRS = ["normal", "laplace", "exponential", "bernoulli_probs", "categorical_logits", "gamma",
            "beta", "dirichlet", "mvn_cov"]


@pytest.mark.parametrize("case", KL_PAIRS)
def test_kl_divergence(case):
    name, params, _ = CASES[case]
    shifted = {k: (v * 1.3 if k != "loc" else v + 0.4) for k, v in params.items()}
    if name == "MultivariateNormal":
        shifted["covariance_matrix"] = params["covariance_matrix"] * 1.3
    if name == "Categorical":
        shifted = {"logits": params["logits"][..., ::-1].copy()}
    p, p_params = build(ED, name, params)
    q, _ = build(ED, name, shifted)
    tp, tp_params = build(TD, name, params)
    tq, _ = build(TD, name, shifted)
    ours, theirs = ED.kl_divergence(p, q), TD.kl_divergence(tp, tq)
    close(ours, theirs)
    our_grads = ember.autograd.grad(ours.sum(), list(p_params.values()))
    their_grads = torch.autograd.grad(theirs.sum(), list(tp_params.values()))
    for mine, reference in zip(our_grads, their_grads):
        close(mine, reference, 1e-7)


def test_uniform_kl_and_independent():
    p = ED.Independent(ED.Normal(ember.zeros(2, 3), ember.ones(2, 3)), 1)
    q = ED.Independent(ED.Normal(ember.ones(2, 3), ember.ones(2, 3) * 2), 1)
    tp = TD.Independent(TD.Normal(torch.zeros(2, 3), torch.ones(2, 3)), 1)
    tq = TD.Independent(TD.Normal(torch.ones(2, 3), torch.ones(2, 3) * 2), 1)
    close(ED.kl_divergence(p, q), TD.kl_divergence(tp, tq), 1e-6)
    value = np.ones((2, 3), dtype=np.float32)
    close(p.log_prob(ember.tensor(value)), tp.log_prob(torch.tensor(value)), 1e-6)
    assert p.batch_shape == (2,) and p.event_shape == (3,)
    u = ED.kl_divergence(ED.Uniform(0.0, 1.0), ED.Uniform(-1.0, 2.0))
    np.testing.assert_allclose(float(u), np.log(3.0), rtol=1e-6)
    assert float(ED.kl_divergence(ED.Uniform(-1.0, 2.0), ED.Uniform(0.0, 1.0))) == float("inf")


def test_argument_validation_like_pytorch():
    with pytest.raises(ValueError, match="scale"):
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        ED.Categorical()
    with pytest.raises(ValueError, match="support"):
        ED.Bernoulli(probs=ember.tensor([0.5])).log_prob(ember.tensor([0.5]))
    with pytest.raises(ValueError, match="probs"):
        ED.Bernoulli(probs=ember.tensor([1.5]))
    with pytest.raises(ValueError, match="Exactly one"):
        ED.MultivariateNormal(ember.zeros(2))
    with pytest.raises(NotImplementedError, match="Normal.*Dirichlet"):
        ED.kl_divergence(ED.Normal(0.0, 1.0), ED.Dirichlet(ember.ones(2)))
    assert float(ED.kl_divergence(ED.Normal(0.0, 1.0), ED.Gamma(1.0, 1.0))) == float("inf")  # as PyTorch
    ED.Distribution.set_default_validate_args(False)
    try:
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))  # accepted when validation is off
    finally:
        ED.Distribution.set_default_validate_args(True)


def test_reinforce_gradient_matches_pytorch():
    """The policy-gradient estimator -sum(log pi(a) * return) on the same logits and actions."""
    logits = rng.normal(size=(6, 4))
    actions = rng.integers(0, 4, size=6)
    returns = rng.normal(size=6)
    our_logits = ember.tensor(logits, requires_grad=True)
    their_logits = torch.tensor(logits, requires_grad=True)
    our_loss = -(ED.Categorical(logits=our_logits).log_prob(ember.tensor(actions)) * ember.tensor(returns)).sum()
    their_loss = -(TD.Categorical(logits=their_logits).log_prob(torch.tensor(actions)) * torch.tensor(returns)).sum()
    our_loss.backward()
    their_loss.backward()
    close(our_loss, their_loss)
    close(our_logits.grad, their_logits.grad)
