"""The distributions added beyond the first fifteen, against torch.distributions with the same
float64 parameters: log_prob, entropy, cdf, icdf, mean, mode, variance and their gradients;
batch/event/sample shapes, expand, and argument validation."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from tests.distributions.family_cases import CASES


def close(ours, theirs, tol):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy(), dtype=float),
                               theirs.detach().numpy().astype(float), rtol=tol, atol=tol, equal_nan=True)


def outcome(call):
    """A value, or the exception class: both libraries must agree on which methods exist."""
    try:
        return call()
    except NotImplementedError:
        return NotImplementedError


def value_tensor(lib, case):
    return lib.tensor(case.value, dtype=getattr(lib, case.dtype))


def grads(lib, total, params):
    wanted = [p for p in params.values() if p.requires_grad]
    # retain_graph: lazily made probs/logits are shared by the moments, in both libraries
    return lib.autograd.grad(total, wanted, allow_unused=True, retain_graph=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_prob_entropy_and_their_gradients(case):
    spec = CASES[case]
    ours, our_params = spec.build(ember)
    theirs, their_params = spec.build(torch)
    our_lp, their_lp = ours.log_prob(value_tensor(ember, spec)), theirs.log_prob(value_tensor(torch, spec))
    close(our_lp, their_lp, spec.tol)
    our_total, their_total = our_lp.sum(), their_lp.sum()
    their_entropy = outcome(theirs.entropy)
    our_entropy = outcome(ours.entropy)
    if their_entropy is NotImplementedError:
        assert our_entropy is NotImplementedError
    else:
        close(our_entropy, their_entropy, spec.tol)
        if their_entropy.requires_grad:  # ExponentialFamily's generic entropy is detached in both
            our_total, their_total = our_total + our_entropy.sum(), their_total + their_entropy.sum()
    for mine, reference in zip(grads(ember, our_total, our_params), grads(torch, their_total, their_params)):
        close(mine, reference, max(spec.tol, 1e-7))


@pytest.mark.parametrize("case", sorted(CASES))
def test_moments_and_mode(case):
    spec = CASES[case]
    ours, our_params = spec.build(ember)
    theirs, their_params = spec.build(torch)
    for name in ("mean", "mode", "variance", "stddev"):
        if (case, name) == ("kumaraswamy", "mode"):
            continue  # PyTorch's is nan everywhere: test_kumaraswamy_mode_is_the_argmax
        their_value = outcome(lambda: getattr(theirs, name))
        our_value = outcome(lambda: getattr(ours, name))
        if their_value is NotImplementedError:
            assert our_value is NotImplementedError, name
            continue
        close(our_value, their_value, spec.tol)
        finite = np.isfinite(their_value.detach().numpy())
        if name != "mode" and their_value.requires_grad and finite.any():
            weights = np.where(finite, 1.0, 0.0)
            our_sum = (ember.where(ember.tensor(finite), our_value, ember.zeros_like(our_value))
                       * ember.tensor(weights)).sum()
            their_sum = (torch.where(torch.tensor(finite), their_value, torch.zeros_like(their_value))
                         * torch.tensor(weights)).sum()
            for mine, reference in zip(grads(ember, our_sum, our_params), grads(torch, their_sum, their_params)):
                if reference is not None:
                    close(mine, reference, max(spec.tol, 1e-7))


# the incomplete gamma function has no derivative in its shape, in PyTorch as in Ember (and
# Ember's engine raises for it even when only other inputs' gradients are asked for)
NO_CDF_GRADIENT = {"chi2": {"df"}, "inverse_gamma": {"concentration"}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cdf_and_icdf(case):
    spec = CASES[case]
    frozen = NO_CDF_GRADIENT.get(case, set())
    ours, our_params = spec.build(ember, frozen=frozen)
    theirs, their_params = spec.build(torch, frozen=frozen)
    their_cdf = outcome(lambda: theirs.cdf(value_tensor(torch, spec)))
    if their_cdf is NotImplementedError:
        assert outcome(lambda: ours.cdf(value_tensor(ember, spec))) is NotImplementedError
    else:
        our_cdf = ours.cdf(value_tensor(ember, spec))
        close(our_cdf, their_cdf, spec.tol)
        if any(p.requires_grad for p in our_params.values()):
            their_grads = grads(torch, their_cdf.sum(), their_params)
            for mine, reference in zip(grads(ember, our_cdf.sum(), our_params), their_grads):
                close(mine, reference, max(spec.tol, 1e-7))
    u_e = ember.tensor(spec.quantiles, dtype=getattr(ember, spec.dtype))
    u_t = torch.tensor(spec.quantiles, dtype=getattr(torch, spec.dtype))
    their_icdf = outcome(lambda: theirs.icdf(u_t))
    if their_icdf is NotImplementedError:
        assert outcome(lambda: ours.icdf(u_e)) is NotImplementedError
        return
    our_icdf = ours.icdf(u_e)
    close(our_icdf, their_icdf, spec.tol)
    for mine, reference in zip(grads(ember, our_icdf.sum(), our_params), grads(torch, their_icdf.sum(), their_params)):
        close(mine, reference, max(spec.tol, 1e-7))
    if their_cdf is not NotImplementedError:  # icdf inverts cdf
        close(ours.cdf(our_icdf), u_t, max(spec.tol, 1e-7))


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapes_support_and_expand(case):
    spec = CASES[case]
    ours, _ = spec.build(ember, requires_grad=False)
    theirs, _ = spec.build(torch, requires_grad=False)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert ours.has_rsample == theirs.has_rsample
    assert tuple(ours.sample((5, 2)).shape) == tuple(theirs.sample((5, 2)).shape)
    assert tuple(ours.sample().shape) == tuple(theirs.sample().shape)
    if ours.has_rsample:
        assert tuple(ours.rsample((3,)).shape) == tuple(theirs.rsample((3,)).shape)
    assert type(ours.support).__name__.lstrip("_") == type(theirs.support).__name__.lstrip("_")
    assert ours.support.event_dim == theirs.support.event_dim
    assert bool(ours.support.check(ours.sample((7,))).all())
    batch = (4,) + tuple(ours.batch_shape)
    expanded_ours, expanded_theirs = ours.expand(batch), theirs.expand(batch)
    assert type(expanded_ours) is type(ours)
    assert tuple(expanded_ours.batch_shape) == batch
    # the value with a 1 inserted before its batch dims, so it broadcasts against the new batch
    sample_dims = np.ndim(spec.value) - len(ours.batch_shape) - len(ours.event_shape)
    value = np.expand_dims(spec.value, sample_dims)
    close(expanded_ours.log_prob(ember.tensor(value, dtype=getattr(ember, spec.dtype))),
          expanded_theirs.log_prob(torch.tensor(value, dtype=getattr(torch, spec.dtype))), spec.tol)
    assert tuple(expanded_ours.sample((2,)).shape) == tuple(expanded_theirs.sample((2,)).shape)


# family -> parameters with one invalid entry, and the parameter the error must name
BAD = [
    ("LogNormal", dict(loc=[0.0], scale=[-1.0]), "scale"),
    ("HalfNormal", dict(scale=[0.0]), "scale"),
    ("HalfCauchy", dict(scale=[-2.0]), "scale"),
    ("Cauchy", dict(loc=[0.0], scale=[-1.0]), "scale"),
    ("Gumbel", dict(loc=[0.0], scale=[0.0]), "scale"),
    ("StudentT", dict(df=[-1.0]), "df"),
    ("Chi2", dict(df=[-1.0]), "df"),
    ("Weibull", dict(scale=[1.0], concentration=[-1.0]), "concentration"),
    ("Pareto", dict(scale=[1.0], alpha=[0.0]), "alpha"),
    ("Kumaraswamy", dict(concentration1=[-1.0], concentration0=[1.0]), "concentration1"),
    ("InverseGamma", dict(concentration=[1.0], rate=[-1.0]), "rate"),
    ("FisherSnedecor", dict(df1=[1.0], df2=[-1.0]), "df2"),
    ("VonMises", dict(loc=[0.0], concentration=[-1.0]), "concentration"),
    ("GeneralizedPareto", dict(loc=[0.0], scale=[-1.0], concentration=[0.1]), "scale"),
    ("LogisticNormal", dict(loc=[0.0, 0.0], scale=[1.0, -1.0]), "scale"),
    ("Poisson", dict(rate=[-1.0]), "rate"),
    ("Geometric", dict(probs=[1.5]), "probs"),
    ("NegativeBinomial", dict(total_count=[-1.0], probs=[0.5]), "total_count"),
    ("Binomial", dict(total_count=[2.5], probs=[0.5]), "total_count"),
    ("ContinuousBernoulli", dict(logits=[float("nan")]), "logits"),
    ("RelaxedBernoulli", dict(temperature=1.0, probs=[1.5]), "probs"),
    ("LowRankMultivariateNormal", dict(loc=[0.0, 0.0], cov_factor=[[1.0], [1.0]], cov_diag=[1.0, -1.0]),
     "cov_diag"),
]


@pytest.mark.parametrize("family,params,name", BAD, ids=[b[0] for b in BAD])
def test_invalid_parameters_raise_like_torch(family, params, name):
    """Ember's error names the family's own parameter (PyTorch's sometimes names a base's)."""
    for lib, module in ((ember, ED), (torch, TD)):
        tensors = {k: lib.tensor(v, dtype=lib.float64) for k, v in params.items()}
        with pytest.raises(ValueError, match=name if lib is ember else None):
            getattr(module, family)(**tensors, validate_args=True)


@pytest.mark.parametrize("case,outside", [("log_normal", -1.0), ("half_normal", -0.5), ("pareto", 0.1),
                                          ("poisson", 1.5), ("binomial", 7.0), ("geometric", -1.0),
                                          ("kumaraswamy", 1.5), ("relaxed_bernoulli", 1.2),
                                          ("generalized_pareto_bounded", 4.5)])
def test_values_outside_the_support_raise(case, outside):
    spec = CASES[case]
    ours, _ = spec.build(ember, requires_grad=False)
    theirs, _ = spec.build(torch, requires_grad=False)
    bad = np.full(tuple(ours.batch_shape) + tuple(ours.event_shape), outside)
    with pytest.raises(ValueError, match="support"):
        ours.log_prob(ember.tensor(bad))
    with pytest.raises(ValueError, match="support"):
        theirs.log_prob(torch.tensor(bad))


def test_either_probs_or_logits():
    for family in ("Binomial", "Geometric", "NegativeBinomial", "ContinuousBernoulli"):
        with pytest.raises(ValueError, match="either `probs` or `logits`"):
            getattr(ED, family)(**({"total_count": 2.0} if "Binomial" in family else {}))
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        ED.RelaxedBernoulli(ember.tensor(1.0), probs=ember.tensor(0.5), logits=ember.tensor(0.0))
    with pytest.raises(NotImplementedError, match="inhomogeneous"):
        ED.Multinomial(ember.tensor([2, 3]), probs=ember.tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError, match="Inhomogeneous"):
        ED.Binomial(ember.tensor([2.0, 3.0]), probs=ember.tensor([0.5, 0.5])).entropy()


def test_multinomial_entropy_is_exact():
    """-sum p(x) log p(x) over every count vector of n = 4 draws in 3 categories."""
    import itertools
    probs = np.array([0.2, 0.5, 0.3])
    d = ED.Multinomial(4, probs=ember.tensor(probs, dtype=ember.float64))
    support = [c for c in itertools.product(range(5), repeat=3) if sum(c) == 4]
    log_p = d.log_prob(ember.tensor(np.array(support, dtype=float))).numpy()
    np.testing.assert_allclose(np.exp(log_p).sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(float(d.entropy()), -(np.exp(log_p) * log_p).sum(), rtol=1e-12)


def test_kumaraswamy_mode_is_the_argmax():
    a, b = np.array([2.0, 3.0, 1.5]), np.array([2.0, 5.0, 1.2])
    d = ED.Kumaraswamy(ember.tensor(a), ember.tensor(b))
    grid = np.linspace(1e-4, 1 - 1e-4, 200001)[:, None]
    argmax = grid[d.log_prob(ember.tensor(grid)).numpy().argmax(0), 0]
    np.testing.assert_allclose(d.mode.numpy(), argmax, atol=1e-5)
    assert np.isnan(ED.Kumaraswamy(ember.tensor([0.5]), ember.tensor([2.0])).mode.numpy()).all()


def test_matrix_distributions_reject_bad_arguments():
    with pytest.raises(ValueError, match="dim=1"):
        ED.LKJCholesky(1, ember.tensor(1.0))
    with pytest.raises(ValueError, match="concentration"):
        ED.LKJCholesky(3, ember.tensor([-1.0]), validate_args=True)
    with pytest.raises(ValueError, match="greater than ndim - 1 = 2"):
        ED.Wishart(ember.tensor(1.5), covariance_matrix=ember.eye(3))
    with pytest.raises(ValueError, match="Exactly one"):
        ED.Wishart(ember.tensor(4.0))
    with pytest.raises(ValueError, match="covariance_matrix"):
        ED.Wishart(ember.tensor(4.0), covariance_matrix=-ember.eye(2), validate_args=True)
    with pytest.raises(ValueError, match="support"):
        ED.LKJCholesky(2, ember.tensor(1.0)).log_prob(ember.tensor([[1.0, 0.0], [0.5, 0.5]]))
