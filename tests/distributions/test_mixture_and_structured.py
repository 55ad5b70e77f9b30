"""MixtureSameFamily, LowRankMultivariateNormal's matrices, OneHotCategoricalStraightThrough
and the generic TransformedDistribution against torch.distributions."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

rng = np.random.default_rng(5)


def t64(lib, array, grad=False):
    return lib.tensor(np.asarray(array, dtype=float), dtype=lib.float64, requires_grad=grad)


def close(ours, theirs, tol=1e-9):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)


def _gaussian_mixture(lib, logits, loc, scale):
    module = ED if lib is ember else TD
    return module.MixtureSameFamily(module.Categorical(logits=logits), module.Normal(loc, scale))


MIXTURE = dict(logits=rng.normal(size=(2, 3)), loc=rng.normal(size=(2, 3)), scale=rng.uniform(0.5, 2, size=(2, 3)))


def test_gaussian_mixture_matches_torch_with_gradients():
    value = rng.normal(size=(4, 2))
    out = {}
    for lib in (ember, torch):
        params = {k: t64(lib, v, grad=True) for k, v in MIXTURE.items()}
        mixture = _gaussian_mixture(lib, **params)
        log_prob, cdf = mixture.log_prob(t64(lib, value)), mixture.cdf(t64(lib, value))
        total = log_prob.sum() + cdf.sum() + mixture.mean.sum() + mixture.variance.sum()
        out[lib.__name__] = (log_prob, cdf, mixture.mean, mixture.variance,
                             *lib.autograd.grad(total, list(params.values())))
        assert tuple(mixture.batch_shape) == (2,) and tuple(mixture.event_shape) == ()
        assert tuple(mixture.sample((5,)).shape) == (5, 2)
    for mine, reference in zip(out["ember"], out["torch"]):
        close(mine, reference)


def test_mixture_of_multivariate_components_and_expand():
    loc, value = rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    out = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        components = module.Independent(module.Normal(t64(lib, loc), t64(lib, np.ones((3, 2)))), 1)
        mixture = module.MixtureSameFamily(module.Categorical(probs=t64(lib, [0.2, 0.3, 0.5])), components)
        expanded = mixture.expand((4,))
        assert tuple(expanded.batch_shape) == (4,) and tuple(expanded.event_shape) == (2,)
        assert tuple(expanded.sample((6,)).shape) == (6, 4, 2)
        out[lib.__name__] = (mixture.log_prob(t64(lib, value)), mixture.mean, mixture.variance)
    for mine, reference in zip(out["ember"], out["torch"]):
        close(mine, reference)


def test_mixture_samples_follow_the_mixture():
    probs = np.array([0.25, 0.75])
    mixture = ED.MixtureSameFamily(ED.Categorical(probs=t64(ember, probs)),
                                   ED.Normal(t64(ember, [-3.0, 2.0]), t64(ember, [0.5, 1.0])))
    ember.manual_seed(0)
    draws = mixture.sample((40000,)).numpy()
    np.testing.assert_allclose((draws < -0.5).mean(), 0.25 + 0.75 * 0.00621, atol=5 * np.sqrt(0.19 / 40000))
    assert abs(draws.mean() - float(mixture.mean)) < 5 * np.sqrt(float(mixture.variance) / 40000)


def test_mixture_errors():
    normal = ED.Normal(ember.zeros(3), ember.ones(3))
    with pytest.raises(ValueError, match="Categorical"):
        ED.MixtureSameFamily(normal, normal)
    with pytest.raises(ValueError, match=r"does not equal `component_distribution.batch_shape\[-1\]`"):
        ED.MixtureSameFamily(ED.Categorical(logits=ember.zeros(2)), normal)
    with pytest.raises(ValueError, match="not compatible"):
        ED.MixtureSameFamily(ED.Categorical(logits=ember.zeros(4, 3)), ED.Normal(ember.zeros(2, 3), ember.ones(2, 3)))
    mixture = ED.MixtureSameFamily(ED.Categorical(logits=ember.zeros(2)), ED.Exponential(ember.ones(2)))
    with pytest.raises(ValueError, match="support"):
        mixture.log_prob(ember.tensor(-1.0))


def test_low_rank_matrices_match_torch():
    params = dict(loc=rng.normal(size=(2, 3)), cov_factor=rng.normal(size=(2, 3, 2)),
                  cov_diag=rng.uniform(0.5, 2, size=(2, 3)))
    out = {}
    for lib in (ember, torch):
        tensors = {k: t64(lib, v, grad=True) for k, v in params.items()}
        module = ED if lib is ember else TD
        d = module.LowRankMultivariateNormal(**tensors)
        matrices = (d.covariance_matrix, d.precision_matrix, d.scale_tril)
        total = sum((m * m).sum() for m in matrices)
        factors = [tensors["cov_factor"], tensors["cov_diag"]]  # the matrices do not depend on loc
        out[lib.__name__] = (*matrices, *lib.autograd.grad(total, factors))
    for mine, reference in zip(out["ember"], out["torch"]):
        close(mine, reference, 1e-8)
    with pytest.raises(ValueError, match="cov_factor must be a batch of matrices"):
        ED.LowRankMultivariateNormal(ember.zeros(3), ember.zeros(2, 1), ember.ones(3))
    with pytest.raises(ValueError, match="cov_diag must be a batch of vectors"):
        ED.LowRankMultivariateNormal(ember.zeros(3), ember.zeros(3, 1), ember.ones(2))


def test_low_rank_samples_have_the_covariance():
    factor = np.array([[1.0], [0.5], [-1.0]])
    d = ED.LowRankMultivariateNormal(t64(ember, np.zeros(3)), t64(ember, factor), t64(ember, [0.5, 1.0, 0.2]))
    ember.manual_seed(0)
    draws = d.rsample((40000,)).numpy()
    np.testing.assert_allclose(np.cov(draws.T), d.covariance_matrix.numpy(), atol=0.05)


def test_straight_through_gradient_matches_torch():
    logits = rng.normal(size=(3, 4))
    weights = rng.normal(size=(3, 4))
    grads = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        tensor = t64(lib, logits, grad=True)
        draw = module.OneHotCategoricalStraightThrough(logits=tensor).rsample()
        assert set(np.unique(draw.detach().numpy().round(12))) <= {0.0, 1.0}
        assert np.allclose(draw.detach().numpy().sum(-1), 1.0)
        (grads[lib.__name__],) = lib.autograd.grad((draw * t64(lib, weights)).sum(), [tensor])
    close(grads["ember"], grads["torch"])
    d = ED.OneHotCategoricalStraightThrough(probs=t64(ember, [0.2, 0.8]))
    assert d.has_rsample and d.support.event_dim == 1


def test_transformed_distribution_event_dims_like_torch():
    """A stick-breaking map turns a batch of 3 normals into one 4-simplex event."""
    loc, scale = rng.normal(size=(2, 3)), rng.uniform(0.5, 1.5, size=(2, 3))
    value = rng.dirichlet(np.ones(4), size=2)
    out = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        params = [t64(lib, loc, grad=True), t64(lib, scale, grad=True)]
        d = module.TransformedDistribution(module.Normal(*params), [module.StickBreakingTransform()])
        assert tuple(d.batch_shape) == (2,) and tuple(d.event_shape) == (4,)
        assert tuple(d.sample((5,)).shape) == (5, 2, 4)
        log_prob = d.log_prob(t64(lib, value))
        out[lib.__name__] = (log_prob, *lib.autograd.grad(log_prob.sum(), params))
    for mine, reference in zip(out["ember"], out["torch"]):
        close(mine, reference)
    with pytest.raises(ValueError, match="transforms must be a Transform"):
        ED.TransformedDistribution(ED.Normal(0.0, 1.0), [lambda x: x])


def test_transformed_cdf_flips_for_decreasing_maps():
    d = ED.TransformedDistribution(ED.Normal(t64(ember, 0.3), t64(ember, 1.2)), [ED.AffineTransform(1.0, -2.0)])
    theirs = TD.TransformedDistribution(TD.Normal(t64(torch, 0.3), t64(torch, 1.2)), [TD.AffineTransform(1.0, -2.0)])
    x = rng.normal(size=5)
    close(d.cdf(t64(ember, x)), theirs.cdf(t64(torch, x)))
    u = rng.uniform(0.05, 0.95, size=5)
    close(d.icdf(t64(ember, u)), theirs.icdf(t64(torch, u)))


@pytest.mark.parametrize("family", ["Categorical", "Bernoulli", "Binomial", "Geometric", "ContinuousBernoulli"])
def test_parameters_first_made_under_no_grad_keep_their_graph(family):
    """probs made from logits on first use inside sample() (no_grad) must still carry gradients
    later, as PyTorch's lazy_property (which turns grad mode on) does."""
    logits = ember.tensor([0.3, -0.2, 1.0], requires_grad=True)
    d = getattr(ED, family)(logits=logits)
    d.sample((2,))
    (grad,) = ember.autograd.grad((d.probs * ember.tensor([1.0, 2.0, 3.0])).sum(), [logits])
    assert float(grad.abs().sum()) > 0


def test_tanh_squashed_gaussian_policy_like_sac():
    """SAC's policy: a tanh-squashed Normal with a cached TanhTransform, so log_prob of its own
    rsample inverts exactly (no atanh of values rounded to +-1); loss gradients match PyTorch's."""
    mu, log_std = rng.normal(size=(4, 2)) * 3, rng.normal(size=(4, 2)) * 0.3
    eps = rng.normal(size=(4, 2))
    out = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        params = [t64(lib, mu, grad=True), t64(lib, log_std, grad=True)]
        base = module.Normal(params[0], params[1].exp())
        policy = module.TransformedDistribution(base, [module.TanhTransform(cache_size=1)])
        x = params[0] + params[1].exp() * t64(lib, eps)  # the base rsample, with shared noise
        action = policy.transforms[0](x)
        log_prob = policy.log_prob(action).sum(-1)
        loss = (log_prob - action.sum(-1)).mean()
        out[lib.__name__] = (action, log_prob, *lib.autograd.grad(loss, params))
    for mine, reference in zip(out["ember"], out["torch"]):
        close(mine, reference, 1e-8)
    assert np.all(np.isfinite(out["ember"][1].detach().numpy()))


def test_enumerate_support_like_torch():
    probs = rng.dirichlet(np.ones(3), size=2)
    for make in (lambda M, L: M.OneHotCategorical(probs=t64(L, probs)),
                 lambda M, L: M.Independent(M.Bernoulli(probs=t64(L, [0.2, 0.7])), 0),
                 lambda M, L: M.Binomial(3, probs=t64(L, [0.2, 0.7]))):
        ours, theirs = make(ED, ember), make(TD, torch)
        assert ours.has_enumerate_support == theirs.has_enumerate_support
        for expand in (True, False):
            close(ours.enumerate_support(expand), theirs.enumerate_support(expand))
        close(ours.log_prob(ours.enumerate_support()), theirs.log_prob(theirs.enumerate_support()))
    assert tuple(ED.OneHotCategorical(probs=t64(ember, probs)).param_shape) == (2, 3)
    with pytest.raises(NotImplementedError, match="cartesian product"):
        ED.Independent(ED.Bernoulli(probs=t64(ember, [0.2, 0.7])), 1).enumerate_support()
    with pytest.raises(NotImplementedError, match="Normal cannot enumerate"):
        ED.Normal(0.0, 1.0).enumerate_support()


def test_wishart_redraws_singular_samples():
    """With df just above p - 1 some Bartlett draws are numerically singular; they are redrawn."""
    identity = ember.eye(3, dtype=ember.float64)
    d = ED.Wishart(ember.tensor(2.05, dtype=ember.float64), covariance_matrix=identity * 1e-3)
    ember.manual_seed(0)
    with pytest.warns(UserWarning, match="Singular sample"):
        draws = d.rsample((2000,))
    assert tuple(draws.shape) == (2000, 3, 3)
    assert bool(ED.constraints.positive_definite.check(draws).all())
    ember.manual_seed(0)
    with pytest.warns(UserWarning, match="Singular sample"):
        uncorrected = d.rsample((2000,), max_try_correction=0)
    assert int((~ED.constraints.positive_definite.check(uncorrected)).sum()) > 100  # the case is a real one


def test_user_subclass_in_pytorch_style():
    """A distribution written against torch.distributions' base-class API works unchanged."""
    class Shifted(ED.Distribution):
        arg_constraints = {"shift": ED.constraints.real}
        support = ED.constraints.real
        has_rsample = True

        def __init__(self, shift, validate_args=None):
            (self.shift,) = ED.utils.broadcast_all(shift)
            super().__init__(self.shift.shape, validate_args=validate_args)

        def expand(self, batch_shape, _instance=None):
            new = self._get_checked_instance(Shifted, _instance)
            new.shift = self.shift.expand(batch_shape)
            ED.Distribution.__init__(new, batch_shape, validate_args=False)
            return new

        def rsample(self, sample_shape=()):
            return self.shift + ember.randn(*self._extended_shape(sample_shape), dtype=self.shift.dtype)

        def log_prob(self, value):
            return ED.Normal(self.shift, ember.ones_like(self.shift)).log_prob(value)

    d = Shifted(ember.tensor([0.0, 1.0])).expand((3, 2))
    assert d.batch_shape == (3, 2) and tuple(d.sample((4,)).shape) == (4, 3, 2)
    close(d.log_prob(ember.zeros(3, 2)), TD.Normal(torch.tensor([0.0, 1.0]), 1.0).log_prob(torch.zeros(3, 2)), 1e-6)

    class NoExpand(Shifted):
        def __init__(self, shift):
            super().__init__(shift)

        expand = ED.Distribution.expand

    with pytest.raises(NotImplementedError, match="must also define a custom .expand"):
        NoExpand(ember.tensor([0.0]))._get_checked_instance(Shifted)


@pytest.mark.parametrize("event_dim", [0, 1])
def test_transform_parameters_broadcast_the_base(event_dim):
    """A scalar base pushed through an affine map with vector parameters gets their batch shape
    (event_dim 0), or an event of their shape from a vector base (event_dim 1), as in PyTorch."""
    out = {}
    for lib in (ember, torch):
        module = ED if lib is ember else TD
        shape = () if event_dim == 0 else (3,)
        base = module.Normal(t64(lib, np.zeros(shape)), t64(lib, np.ones(shape)))
        transform = module.AffineTransform(t64(lib, [1.0, 2.0, 3.0]), t64(lib, [0.5, 1.0, 2.0]), event_dim=event_dim)
        d = module.TransformedDistribution(base, [transform])
        expanded = d.expand((2,) + tuple(d.batch_shape))
        out[lib.__name__] = (tuple(d.batch_shape), tuple(d.event_shape), tuple(expanded.sample((4,)).shape),
                             d.log_prob(t64(lib, [1.0, 1.5, 0.0])))
    assert out["ember"][:3] == out["torch"][:3]
    close(out["ember"][3], out["torch"][3])
