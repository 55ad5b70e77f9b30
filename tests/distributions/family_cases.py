"""Parameters, values and quantiles for each added family, shared by the tests that compare
them with torch.distributions (values, gradients, shapes) and those that check their samplers."""
from __future__ import annotations

import math

import numpy as np

import torch.distributions as TD

import ember
import ember.distributions as ED

rng = np.random.default_rng(7)


def positive(*shape, low=0.5, high=3.0):
    return rng.uniform(low, high, size=shape)


def unit(*shape):
    return rng.uniform(0.1, 0.9, size=shape)


def simplex(*shape):
    x = rng.uniform(0.1, 1.0, size=shape)
    return x / x.sum(-1, keepdims=True)


def counts(high, *shape):
    return rng.integers(0, high, size=shape).astype(float)


def multinomial_counts(total, batch, k):
    return np.stack([rng.multinomial(total, np.ones(k) / k) for _ in range(batch)]).astype(float)


class Case:
    """``family(**params)``; ``fixed`` parameters are passed as given (ints), not as tensors."""

    def __init__(self, family, params, value, fixed=None, quantiles=None, tol=1e-8, dtype="float64"):
        self.family, self.params, self.value, self.dtype = family, params, value, dtype
        self.fixed = fixed or {}
        self.quantiles = quantiles if quantiles is not None else unit(*np.shape(value))
        self.tol = tol

    def build(self, lib, requires_grad=True, params=None, frozen=()):
        """The distribution and its parameter tensors (those in ``frozen`` without gradients)."""
        module = ED if lib is ember else TD
        tensors = {k: lib.tensor(v, dtype=getattr(lib, self.dtype), requires_grad=requires_grad and k not in frozen)
                   for k, v in (params or self.params).items()}
        return getattr(module, self.family)(**tensors, **self.fixed), tensors


LOW_RANK = dict(loc=rng.normal(size=(2, 3)), cov_factor=rng.normal(size=(2, 3, 2)), cov_diag=positive(2, 3))
CASES = {
    "log_normal": Case("LogNormal", dict(loc=rng.normal(size=3), scale=positive(3)), positive(2, 3)),
    "half_normal": Case("HalfNormal", dict(scale=positive(3)), positive(2, 3)),
    "half_cauchy": Case("HalfCauchy", dict(scale=positive(3)), positive(2, 3)),
    "cauchy": Case("Cauchy", dict(loc=rng.normal(size=3), scale=positive(3)), rng.normal(size=(2, 3))),
    "gumbel": Case("Gumbel", dict(loc=rng.normal(size=3), scale=positive(3)), rng.normal(size=(2, 3))),
    "student_t": Case("StudentT", dict(df=positive(3, low=2.5, high=6), loc=rng.normal(size=3),
                                       scale=positive(3)), rng.normal(size=(2, 3))),
    "student_t_heavy": Case("StudentT", dict(df=np.array([0.7, 1.5, 2.0])), rng.normal(size=(3,))),
    "chi2": Case("Chi2", dict(df=positive(3, low=1, high=6)), positive(2, 3)),
    "weibull": Case("Weibull", dict(scale=positive(3), concentration=positive(3, low=1.2)), positive(2, 3)),
    "pareto": Case("Pareto", dict(scale=np.array([0.5, 1.0, 2.0]), alpha=np.array([0.8, 2.5, 4.0])),
                   np.array([0.5, 1.0, 2.0]) + positive(2, 3)),
    "kumaraswamy": Case("Kumaraswamy", dict(concentration1=positive(3, low=1.1), concentration0=positive(3, low=1.1)),
                        unit(2, 3)),
    "kumaraswamy_small": Case("Kumaraswamy", dict(concentration1=np.array([0.5, 2.0]),
                                                  concentration0=np.array([3.0, 0.7])), unit(2)),
    "inverse_gamma": Case("InverseGamma", dict(concentration=np.array([0.8, 1.5, 3.0]), rate=positive(3)),
                          positive(2, 3)),
    "fisher_snedecor": Case("FisherSnedecor", dict(df1=positive(3, low=2.5, high=8), df2=positive(3, low=4.5, high=9)),
                            positive(2, 3)),
    "fisher_snedecor_heavy": Case("FisherSnedecor", dict(df1=np.array([1.0, 3.0]), df2=np.array([1.5, 3.5])),
                                  positive(2)),
    "von_mises": Case("VonMises", dict(loc=rng.uniform(-3, 3, size=3), concentration=positive(3, high=8)),
                      rng.uniform(-math.pi, math.pi, size=(2, 3)), tol=2e-6),  # PyTorch's I0 is a 1e-7 fit
    "generalized_pareto": Case("GeneralizedPareto", dict(loc=rng.normal(size=3), scale=positive(3),
                                                         concentration=np.array([0.2, 0.45, 0.0])),
                               None, dtype="float32", tol=2e-5),  # PyTorch's fails in float64
    "generalized_pareto_bounded": Case("GeneralizedPareto", dict(loc=np.zeros(2), scale=np.ones(2),
                                                                 concentration=np.array([-0.5, -0.25])),
                                       np.array([[0.5, 1.0], [1.9, 3.5]]), dtype="float32", tol=2e-5),
    "logistic_normal": Case("LogisticNormal", dict(loc=rng.normal(size=(2, 3)), scale=positive(2, 3)),
                            simplex(4, 2, 4)),
    "relaxed_bernoulli": Case("RelaxedBernoulli", dict(temperature=np.array(0.7), probs=unit(3)), unit(2, 3)),
    "relaxed_bernoulli_logits": Case("RelaxedBernoulli", dict(temperature=np.array(2.0), logits=rng.normal(size=3)),
                                     unit(3)),
    "relaxed_one_hot": Case("RelaxedOneHotCategorical", dict(temperature=np.array(0.5), probs=simplex(2, 4)),
                            simplex(3, 2, 4)),
    "continuous_bernoulli": Case("ContinuousBernoulli", dict(probs=np.array([0.2, 0.4995, 0.7, 0.95])), unit(2, 4)),
    "continuous_bernoulli_logits": Case("ContinuousBernoulli", dict(logits=np.array([-2.0, 0.001, 1.5])), unit(3)),
    "poisson": Case("Poisson", dict(rate=positive(4, high=6)), counts(8, 2, 4)),
    "binomial": Case("Binomial", dict(probs=unit(3)), counts(7, 2, 3), fixed=dict(total_count=6)),
    "binomial_logits": Case("Binomial", dict(logits=rng.normal(size=3)), counts(4, 3), fixed=dict(total_count=3)),
    "geometric": Case("Geometric", dict(probs=unit(4)), counts(6, 2, 4)),
    "negative_binomial": Case("NegativeBinomial", dict(total_count=positive(3, high=5), probs=unit(3)),
                              counts(9, 2, 3)),
    "negative_binomial_logits": Case("NegativeBinomial", dict(total_count=positive(3), logits=rng.normal(size=3)),
                                     counts(5, 3)),
    # PyTorch's Multinomial entropy takes lgamma(n + 1) of an integer tensor, in float32: 1e-6;
    # test_multinomial_entropy_is_exact checks Ember's against a brute-force sum instead
    "multinomial": Case("Multinomial", dict(probs=simplex(2, 4)), multinomial_counts(5, 2, 4),
                        fixed=dict(total_count=5), tol=1e-6),
    "multinomial_logits": Case("Multinomial", dict(logits=rng.normal(size=(3,))), multinomial_counts(4, 2, 3),
                               fixed=dict(total_count=4), tol=1e-6),
    "low_rank_mvn": Case("LowRankMultivariateNormal", LOW_RANK, rng.normal(size=(4, 2, 3))),
}
CASES["generalized_pareto"].value = CASES["generalized_pareto"].params["loc"] + positive(2, 3)


def corr_cholesky(*batch, dim=3):
    vectors = rng.normal(size=batch + (dim * (dim - 1) // 2,))
    return ED.CorrCholeskyTransform()(ember.tensor(vectors, dtype=ember.float64)).numpy()


def spd(*batch, dim=3):
    a = rng.normal(size=batch + (dim, dim))
    return a @ np.swapaxes(a, -1, -2) + dim * np.eye(dim)


CASES["lkj_cholesky"] = Case("LKJCholesky", dict(concentration=np.array([0.5, 1.0, 3.0])),
                             corr_cholesky(2, 3), fixed=dict(dim=3))
CASES["lkj_cholesky_4"] = Case("LKJCholesky", dict(concentration=np.array(2.0)), corr_cholesky(5, dim=4),
                               fixed=dict(dim=4))
CASES["wishart"] = Case("Wishart", dict(df=np.array([4.0, 6.5]), covariance_matrix=spd(2)), spd(3, 2))
CASES["wishart_tril"] = Case("Wishart", dict(df=np.array(5.0), scale_tril=np.linalg.cholesky(spd())), spd(2))
CASES["wishart_precision"] = Case("Wishart", dict(df=np.array([3.5]), precision_matrix=spd(1)), spd(1))
