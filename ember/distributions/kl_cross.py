"""KL divergences PyTorch registers between different families: closed forms, and ``inf``
where q's support does not cover p's (e.g. KL(Normal || Exponential)).

Example:
    >>> import ember
    >>> from ember.distributions import Exponential, Gamma, kl_divergence
    >>> kl_divergence(Exponential(ember.tensor(2.0)), Gamma(ember.tensor(1.0), ember.tensor(2.0)))
    tensor(0.)
"""
from __future__ import annotations

import math

import ember
from ember import special

from .continuous import Exponential, Laplace, Normal, Uniform
from .counts import Binomial, Poisson
from .discrete import Bernoulli
from .gamma_family import Beta, Gamma
from .heavy_tailed import Pareto
from .kl import register_kl
from .relaxed import ContinuousBernoulli
from .transformed_families import EULER_GAMMA, Gumbel

_LOG_2PI = math.log(2 * math.pi)


def _infinite_like(value):
    return ember.full_like(value, math.inf)


def _infinite_where(mask, value):
    return ember.where(mask, _infinite_like(value), value)


def _x_log_x(value):
    return special.xlogy(value, value)  # 0 at 0, where x * log(x) would give nan


def _register_infinite(pairs, parameter: str):
    """KL(p || q) = inf for each pair: q gives zero density on part of p's support."""
    def infinite(p, q):
        return _infinite_like(getattr(p, parameter))
    for type_p, type_q in pairs:
        register_kl(type_p, type_q)(infinite)


_SUPPORT_MISMATCH = {
    "concentration1": [(Beta, Pareto)],
    "probs": [(ContinuousBernoulli, Pareto)],
    "rate": [(Exponential, Beta), (Exponential, ContinuousBernoulli), (Exponential, Pareto),
             (Exponential, Uniform), (Poisson, Bernoulli), (Poisson, Binomial)],
    "concentration": [(Gamma, Beta), (Gamma, ContinuousBernoulli), (Gamma, Pareto), (Gamma, Uniform)],
    "loc": [(Gumbel, Beta), (Gumbel, ContinuousBernoulli), (Gumbel, Exponential), (Gumbel, Gamma),
            (Gumbel, Pareto), (Gumbel, Uniform), (Laplace, Beta), (Laplace, ContinuousBernoulli),
            (Laplace, Exponential), (Laplace, Gamma), (Laplace, Pareto), (Laplace, Uniform),
            (Normal, Beta), (Normal, ContinuousBernoulli), (Normal, Exponential), (Normal, Gamma),
            (Normal, Pareto), (Normal, Uniform)],
    "scale": [(Pareto, Beta), (Pareto, ContinuousBernoulli), (Pareto, Uniform)],
}
for _parameter, _pairs in _SUPPORT_MISMATCH.items():
    _register_infinite(_pairs, _parameter)


def _normal_cross_entropy(mean, second_moment, q):
    """E_p[-log q(x)] for a Normal q, from p's first two moments."""
    return 0.5 * _LOG_2PI + q.scale.log() + (second_moment - 2 * q.loc * mean + q.loc ** 2) / (2 * q.scale ** 2)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, ContinuousBernoulli)
@register_kl(Uniform, ContinuousBernoulli)
def _kl_unit_interval_continuous_bernoulli(p, q):
    result = -p.entropy() - p.mean * q.logits - (-q.probs).log1p() - q._log_norm()
    if isinstance(p, Uniform):
        result = _infinite_where((p.high >= 1.0) | (p.low <= 0.0), result)
    return result


@register_kl(Beta, Exponential)
@register_kl(ContinuousBernoulli, Exponential)
@register_kl(Gamma, Exponential)
def _kl_positive_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    a, b = p.concentration1, p.concentration0
    mean_log = special.digamma(a) - special.digamma(a + b)
    t2 = special.gammaln(q.concentration) - q.concentration * q.rate.log()
    return -p.entropy() + t2 - (q.concentration - 1) * mean_log + q.rate * p.mean


@register_kl(Beta, Normal)
@register_kl(ContinuousBernoulli, Normal)
@register_kl(Gamma, Normal)
@register_kl(Laplace, Normal)
@register_kl(Exponential, Normal)
def _kl_moments_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance + p.mean ** 2, q)


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    ratio = p.scale / q.scale
    t1 = (ratio / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * ratio * 0.5) ** 2 / 3
    t3 = ((p.loc + p.scale * EULER_GAMMA - q.loc) / q.scale) ** 2 * 0.5
    return -t1 + t2 + t3 - (EULER_GAMMA + 1)


@register_kl(Beta, Uniform)
@register_kl(ContinuousBernoulli, Uniform)
def _kl_unit_interval_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    if isinstance(p, ContinuousBernoulli):  # PyTorch's test here counts touching bounds as outside
        return _infinite_where((q.low >= 0.0) | (q.high <= 1.0), result)
    return _infinite_where((q.low > 0.0) | (q.high < 1.0), result)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    ratio = q.rate / p.rate
    return (-q.concentration * ratio.log() + ratio + special.gammaln(q.concentration)
            + q.concentration * EULER_GAMMA - (1 + EULER_GAMMA))


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    return product.log() - 1 - loc_ratio + loc_ratio.exp() * product / (product + 1) + product.reciprocal()


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    a = p.concentration
    product = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    t1 = (a - 1) * special.digamma(a) - special.gammaln(a) - a
    t2 = product.log() + a / product
    t3 = loc_ratio.exp() * (1 + product.reciprocal()) ** (-a) - loc_ratio
    return t1 + t2 + t3


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mean_ratio = p.loc / q.scale
    variance_ratio = (p.scale / q.scale) ** 2
    loc_ratio = q.loc / q.scale
    t3 = (-mean_ratio + 0.5 * variance_ratio + loc_ratio).exp()
    return -0.5 * variance_ratio.log() + mean_ratio - loc_ratio + t3 - 0.5 * (1 + _LOG_2PI)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    difference = p.loc - q.loc
    standardised = difference / p.scale
    t2 = math.sqrt(2 / math.pi) * p.scale * (-0.5 * standardised ** 2).exp()
    t3 = difference * ember.erf(math.sqrt(0.5) * standardised)
    return -(p.scale / q.scale).log() + (t2 + t3) / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    product = p.scale * q.rate
    result = (p.alpha / product).log() - p.alpha.reciprocal() + p.alpha * product / (p.alpha - 1) - 1
    return _infinite_where(p.alpha <= 1, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    mean_log = p.scale.log() + p.alpha.reciprocal()
    t2 = special.gammaln(q.concentration) - q.concentration * q.rate.log()
    t4 = q.rate * p.alpha * p.scale / (p.alpha - 1)
    result = p.alpha.log() - mean_log + t2 + (1 - q.concentration) * mean_log + t4 - 1
    return _infinite_where(p.alpha <= 1, result)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    mean_scale = p.scale / (p.alpha - 1)
    t1 = (math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log()
    t3 = p.alpha * mean_scale ** 2 / (p.alpha - 2)
    t4 = (p.alpha * mean_scale - q.loc) ** 2
    result = t1 - p.alpha.reciprocal() + (t3 + t4) / (2 * q.scale ** 2) - 1
    return _infinite_where(p.alpha <= 2, result)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    t4 = (special.gammaln(q.concentration1) + special.gammaln(q.concentration0)
          - special.gammaln(q.concentration1 + q.concentration0))
    result = t3 + t4 - width.log() - t2
    return _infinite_where((p.high > 1.0) | (p.low < 0.0), result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _infinite_where(p.low < 0.0, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    width = p.high - p.low
    t2 = special.gammaln(q.concentration) - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = -width.log() + t2 + t3 + q.rate * (p.high + p.low) / 2
    return _infinite_where(p.low < 0.0, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    ratio = q.scale / (p.high - p.low)
    high, low = (p.high - q.loc) / q.scale, (p.low - q.loc) / q.scale
    return ratio.log() + 0.5 * (high + low) - ratio * ((-high).exp() - (-low).exp())


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    return t1 + 0.5 * (width ** 2 / 12 + ((p.high + p.low - 2 * q.loc) / 2) ** 2) / q.scale ** 2


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    width = p.high - p.low
    t1 = (q.alpha * q.scale ** q.alpha * width).log()
    t2 = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    return _infinite_where(p.low < q.scale, t2 * (q.alpha + 1) - t1)
