"""Samplers of the added families: draws follow the same law as PyTorch's (compared through
bounded functions, so heavy tails are fine, and against the cdf where there is one), and
``rsample`` gradients agree with PyTorch's in expectation (per-sample gradients, 5 standard
errors) and exactly when both push the same base draw through their transforms."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.distributions.family_cases import CASES

N = 40000
SAMPLED = sorted(CASES)
RSAMPLED = [c for c in SAMPLED if CASES[c].build(torch, requires_grad=False)[0].has_rsample]


def _draws(dist, lib, n=N):
    (lib.manual_seed if lib is torch else ember.manual_seed)(0)
    return dist.sample((n,)).detach().numpy().astype(float)


def _means_agree(ours, theirs, what):
    """Both (n, ...) arrays' means agree within 5 combined standard errors."""
    mean_o, mean_t = ours.mean(0), theirs.mean(0)
    error = np.hypot(ours.std(0), theirs.std(0)) / np.sqrt(len(ours))
    assert np.all(np.abs(mean_o - mean_t) <= 5 * error + 1e-12), (what, mean_o, mean_t, error)


@pytest.mark.parametrize("case", SAMPLED)
def test_samples_follow_pytorchs_law(case):
    spec = CASES[case]
    ours, _ = spec.build(ember, requires_grad=False)
    theirs, _ = spec.build(torch, requires_grad=False)
    draws_o, draws_t = _draws(ours, ember), _draws(theirs, torch)
    assert draws_o.shape == draws_t.shape
    assert bool(ours.support.check(ember.tensor(draws_o, dtype=getattr(ember, spec.dtype))).all())
    center = np.median(draws_t, axis=0)
    for name, f in (("atan", np.arctan), ("atan(2 (x - median))", lambda x: np.arctan(2 * (x - center))),
                    ("atan^2", lambda x: np.arctan(x) ** 2)):
        _means_agree(f(draws_o), f(draws_t), name)


@pytest.mark.parametrize("case", SAMPLED)
def test_samples_match_the_cdf(case):
    """Kolmogorov-Smirnov: sup |ECDF - cdf| < 2.3 / sqrt(n) (exceeded with probability 5e-5)."""
    spec = CASES[case]
    ours, _ = spec.build(ember, requires_grad=False)
    try:
        ours.cdf(ember.tensor(spec.value, dtype=getattr(ember, spec.dtype)))
    except NotImplementedError:
        pytest.skip(f"{spec.family} has no cdf (nor has PyTorch's)")
    draws = np.sort(_draws(ours, ember, 20000), axis=0)
    cdf = ours.cdf(ember.tensor(draws, dtype=getattr(ember, spec.dtype))).detach().numpy().astype(float)
    ranks = np.arange(1, len(draws) + 1).reshape((-1,) + (1,) * (draws.ndim - 1)) / len(draws)
    assert np.max(np.abs(cdf - ranks)) < 2.3 / np.sqrt(len(draws)) + 1.0 / len(draws)


def _tiled(spec, lib, n):
    """The parameters repeated n times along a new first dim (temperature kept broadcastable)."""
    ours, _ = spec.build(ember, requires_grad=False)
    trailing = len(ours.batch_shape) + len(ours.event_shape)
    tensors = {}
    for name, value in spec.params.items():
        value = np.asarray(value, dtype=float)
        if name == "temperature":
            value = value.reshape((1,) * trailing)
        tiled = np.broadcast_to(value, (n,) + value.shape).copy()
        tensors[name] = lib.tensor(tiled, dtype=getattr(lib, spec.dtype), requires_grad=True)
    return tensors


@pytest.mark.parametrize("case", RSAMPLED)
def test_rsample_gradients_agree_with_pytorch_in_expectation(case):
    spec = CASES[case]
    n = 20000
    per_sample = {}
    for lib in (ember, torch):
        (lib.manual_seed if lib is torch else ember.manual_seed)(1)
        params = _tiled(spec, lib, n)
        module = ember.distributions if lib is ember else torch.distributions
        dist = getattr(module, spec.family)(**params, **spec.fixed)
        draw = dist.rsample()
        lib.arctan(draw).sum().backward() if lib is torch else ember.atan(draw).sum().backward()
        per_sample[lib.__name__] = {k: p.grad.numpy().astype(float).reshape(n, -1) for k, p in params.items()}
    for name in spec.params:
        ours, theirs = per_sample["ember"][name], per_sample["torch"][name]
        assert np.all(np.isfinite(ours)), name
        _means_agree(ours, theirs, name)


PUSHED = [c for c in RSAMPLED if hasattr(CASES[c].build(torch, requires_grad=False)[0], "transforms")]


@pytest.mark.parametrize("case", PUSHED)
def test_same_base_draw_gives_the_same_sample_and_gradient(case):
    """A TransformedDistribution's rsample is its transforms applied to a base draw: the same
    base draw through Ember's and PyTorch's transforms gives the same value and gradients."""
    spec = CASES[case]
    ours, our_params = spec.build(ember)
    theirs, their_params = spec.build(torch)
    ember.manual_seed(2)
    base = ours.base_dist.sample((5,)).numpy()
    y_o = ember.tensor(base, dtype=getattr(ember, spec.dtype))
    y_t = torch.tensor(base, dtype=getattr(torch, spec.dtype))
    for transform in ours.transforms:
        y_o = transform(y_o)
    for transform in theirs.transforms:
        y_t = transform(y_t)
    tol = max(spec.tol, 1e-9)
    np.testing.assert_allclose(y_o.detach().numpy(), y_t.detach().numpy(), rtol=tol, atol=tol)
    if not y_t.requires_grad:  # the parameters all live in the base (LogNormal, relaxed, ...)
        assert not y_o.requires_grad
        return
    wanted = list(spec.params)
    our_grads = ember.autograd.grad(ember.atan(y_o).sum(), [our_params[k] for k in wanted], allow_unused=True)
    their_grads = torch.autograd.grad(torch.arctan(y_t).sum(), [their_params[k] for k in wanted], allow_unused=True)
    for name, mine, reference in zip(wanted, our_grads, their_grads):
        if reference is None:
            continue
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=max(tol, 1e-8), atol=max(tol, 1e-8),
                                   err_msg=name)


@pytest.mark.parametrize("case", ["poisson", "binomial", "binomial_logits", "geometric", "negative_binomial",
                                  "negative_binomial_logits"])
def test_count_frequencies_match_the_pmf(case):
    """The frequency of each count 0..7 is within 5 standard errors of exp(log_prob)."""
    spec = CASES[case]
    ours, _ = spec.build(ember, requires_grad=False)
    draws = _draws(ours, ember)
    highest = 7 if "total_count" not in spec.fixed else min(7, spec.fixed["total_count"])
    for k in range(highest + 1):
        pmf = ours.log_prob(ember.tensor(np.full(ours.batch_shape, float(k)))).exp().numpy()
        frequency = (draws == k).mean(0)
        assert np.all(np.abs(frequency - pmf) <= 5 * np.sqrt(pmf * (1 - pmf) / N) + 1e-12), (k, frequency, pmf)


@pytest.mark.parametrize("case", SAMPLED)
def test_sample_moments_match_the_closed_forms(case):
    """Where mean and variance are finite (and so is the fourth moment, for the variance's error)."""
    spec = CASES[case]
    if case in ("log_normal", "von_mises"):
        pytest.skip("log-normal with scale up to 3 is too heavy-tailed for a CLT bound; von Mises "
                    "moments are circular (test_von_mises_circular_moments)")
    ours, _ = spec.build(ember, requires_grad=False)
    try:
        mean, variance = ours.mean.detach().numpy(), ours.variance.detach().numpy()
    except NotImplementedError:
        pytest.skip(f"{spec.family} has no closed-form moments")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(variance))):
        pytest.skip("infinite or undefined moments for these parameters")
    draws = _draws(ours, ember)
    assert np.all(np.abs(draws.mean(0) - mean) <= 5 * np.sqrt(variance / N) + 1e-12)
    centred = (draws - mean) ** 2
    if case not in ("fisher_snedecor", "student_t", "pareto", "inverse_gamma"):  # heavy fourth moments
        assert np.all(np.abs(centred.mean(0) - variance) <= 5 * centred.std(0) / np.sqrt(N) + 1e-12)


def test_von_mises_circular_moments():
    """The mean direction of the draws is loc and 1 - |E exp(i x)| is the circular variance."""
    spec = CASES["von_mises"]
    ours, _ = spec.build(ember, requires_grad=False)
    draws = _draws(ours, ember)
    resultant = np.exp(1j * draws).mean(0)
    np.testing.assert_allclose(np.angle(resultant), spec.params["loc"], atol=0.02)
    np.testing.assert_allclose(1 - np.abs(resultant), ours.variance.numpy(), atol=0.01)
