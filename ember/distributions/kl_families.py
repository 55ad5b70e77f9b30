"""KL divergences PyTorch registers for the families beyond the first fifteen: same-family
closed forms, any two transformed distributions with equal transforms, the Bregman form for
two members of one exponential family, and the low-rank Gaussians.

Example:
    >>> import ember
    >>> from ember.distributions import Poisson, kl_divergence
    >>> kl_divergence(Poisson(ember.tensor(2.0)), Poisson(ember.tensor(1.0)))
    tensor(0.3863)
"""
from __future__ import annotations

import math

import ember
from ember import special

from .counts import Binomial, Geometric, Poisson
from .exp_family import ExponentialFamily
from .heavy_tailed import Cauchy, Pareto
from .kl import _kl_normal_normal, kl_divergence, register_kl
from .lowrank import LowRankMultivariateNormal
from .multivariate import MultivariateNormal
from .relaxed import ContinuousBernoulli
from .transformed import TransformedDistribution
from .transformed_families import EULER_GAMMA, Gumbel, HalfNormal
from .utils import sum_rightmost


def _infinite_where(mask, value):
    return ember.where(mask, ember.full_like(value, math.inf), value)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return _infinite_where(p.total_count > q.total_count, kl)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli(p, q):
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._log_norm() + (-p.probs).log1p()
    t3 = -q._log_norm() - (-q.probs).log1p()
    return t1 + t2 + t3


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    scale_ratio = p.scale / q.scale
    q_loc, p_loc = q.loc / q.scale, p.loc / q.scale
    t1 = -scale_ratio.log() - q_loc + p_loc
    t3 = (q_loc + special.gammaln(1 + scale_ratio) - p_loc).exp()
    return t1 + scale_ratio * EULER_GAMMA + t3 - (1 + EULER_GAMMA)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    numerator = (p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2
    return (numerator / (4 * p.scale * q.scale)).log()


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    scale_ratio, alpha_ratio = p.scale / q.scale, q.alpha / p.alpha
    result = q.alpha * scale_ratio.log() - alpha_ratio.log() + alpha_ratio - 1
    return _infinite_where(p.scale < q.scale, result)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    if p.transforms != q.transforms:
        raise NotImplementedError("KL between transformed distributions with different transforms")
    if p.event_shape != q.event_shape:
        raise NotImplementedError("KL between transformed distributions with different event shapes")
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """The Bregman divergence of the log-normaliser between the natural parameters."""
    if type(p) is not type(q):
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
                                  f"{type(q).__name__}: the cross KL-divergence between different "
                                  "exponential families cannot be computed using Bregman divergences")
    p_params = [param.detach().requires_grad_(True) for param in p._natural_params]
    q_params = q._natural_params
    with ember.enable_grad():
        log_normalizer = p._log_normalizer(*p_params)
        grads = ember.autograd.grad(log_normalizer.sum(), p_params, create_graph=True)
    result = q._log_normalizer(*q_params) - log_normalizer
    for p_param, q_param, grad in zip(p_params, q_params, grads):
        result = result - sum_rightmost((q_param - p_param) * grad, len(q.event_shape))
    return result


def _as_dense(d):
    """A Gaussian as a MultivariateNormal with its dense covariance (O(n^3), exact)."""
    if isinstance(d, MultivariateNormal):
        return d
    return MultivariateNormal(d.loc, covariance_matrix=d.covariance_matrix, validate_args=False)


def _kl_gaussians(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with different "
                         "event shapes cannot be computed")
    return kl_divergence(_as_dense(p), _as_dense(q))


register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)(_kl_gaussians)
register_kl(LowRankMultivariateNormal, MultivariateNormal)(_kl_gaussians)
register_kl(MultivariateNormal, LowRankMultivariateNormal)(_kl_gaussians)
