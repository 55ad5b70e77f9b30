"""KL divergences between pairs of distributions, found by type in a registry.

``register_kl(P, Q)`` decorates a function ``(p, q) -> KL(p || q)``; ``kl_divergence``
picks the most specific registered pair for the arguments' classes.
"""
from __future__ import annotations

import math

import ember
from ember import special

from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .gamma_family import Beta, Dirichlet, Gamma
from .multivariate import Independent, MultivariateNormal, _diagonal
from .utils import sum_rightmost

_KL_REGISTRY: dict = {}


def register_kl(type_p, type_q):
    """Decorator registering ``function(p, q)`` as KL(p || q) for these two classes.

    Example:
        >>> from ember.distributions import Normal, kl_divergence
        >>> float(kl_divergence(Normal(0.0, 1.0), Normal(0.0, 1.0)))
        0.0
    """
    def decorate(function):
        _KL_REGISTRY[type_p, type_q] = function
        return function
    return decorate


def _lookup(type_p, type_q):
    matches = [(p, q) for p, q in _KL_REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    if not matches:
        return None
    # the most specific pair: the one whose classes come earliest in the arguments' MROs
    return _KL_REGISTRY[min(matches, key=lambda pq: (type_p.__mro__.index(pq[0]),
                                                     type_q.__mro__.index(pq[1])))]


def kl_divergence(p, q):
    """KL(p || q) over the batch, or NotImplementedError naming the two classes.

    Example:
        >>> import ember
        >>> from ember.distributions import Normal, kl_divergence
        >>> kl_divergence(Normal(ember.tensor(0.0), ember.tensor(1.0)), Normal(ember.tensor(1.0), ember.tensor(1.0)))
        tensor(0.5000)
    """
    function = _lookup(type(p), type(q))
    if function is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return function(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t1 = -scale_ratio.log()
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * ember.exp(-loc_abs_diff / p.scale)
    return t1 + t2 + t3 - 1


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return ember.where(outside, ember.full_like(result, float("inf")), result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return rate_ratio - 1 - rate_ratio.log()


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    softplus = ember.nn.functional.softplus
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = ember.where(q.probs == 0, ember.full_like(t1, float("inf")), t1)
    t1 = ember.where(p.probs == 0, ember.zeros_like(t1), t1)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = ember.where(q.probs == 1, ember.full_like(t2, float("inf")), t2)
    t2 = ember.where(p.probs == 1, ember.zeros_like(t2), t2)
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = ember.where(q.probs.expand(t.shape) == 0, ember.full_like(t, float("inf")), t)
    t = ember.where(p.probs.expand(t.shape) == 0, ember.zeros_like(t), t)
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = special.gammaln(q.concentration) - special.gammaln(p.concentration)
    t3 = (p.concentration - q.concentration) * special.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    t1 = (special.gammaln(q.concentration1) + special.gammaln(q.concentration0)
          + special.gammaln(sum_p))
    t2 = (special.gammaln(p.concentration1) + special.gammaln(p.concentration0)
          + special.gammaln(sum_q))
    t3 = (p.concentration1 - q.concentration1) * special.digamma(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * special.digamma(p.concentration0)
    t5 = (sum_q - sum_p) * special.digamma(sum_p)
    return t1 - t2 + t3 + t4 + t5


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    sum_p = p.concentration.sum(-1)
    sum_q = q.concentration.sum(-1)
    t1 = special.gammaln(sum_p) - special.gammaln(sum_q)
    t2 = (special.gammaln(p.concentration) - special.gammaln(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = special.digamma(p.concentration) - special.digamma(sum_p).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    k = p.event_shape[0]
    half_term1 = (_diagonal(q._unbroadcasted_scale_tril).log().sum(-1)
                  - _diagonal(p._unbroadcasted_scale_tril).log().sum(-1))
    shape = tuple(ember.broadcast_tensors(p.loc, q.loc)[0].shape[:-1])
    q_tril = q._unbroadcasted_scale_tril.expand(shape + (k, k))
    p_tril = p._unbroadcasted_scale_tril.expand(shape + (k, k))
    term2 = (ember.linalg.solve(q_tril, p_tril) ** 2).sum((-2, -1))
    diff = (q.loc - p.loc).expand(shape + (k,)).unsqueeze(-1)
    term3 = (ember.linalg.solve(q_tril, diff) ** 2).sum((-2, -1))
    return half_term1 + 0.5 * (term2 + term3 - k)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independents with different reinterpreted_batch_ndims")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


del math
