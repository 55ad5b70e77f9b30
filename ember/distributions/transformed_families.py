"""Families defined as a simple base distribution pushed through transforms: LogNormal,
HalfNormal, Gumbel, Weibull, Kumaraswamy, InverseGamma and LogisticNormal. Their samplers
are the base's pushed forward, so ``rsample`` is reparameterised wherever the base's is;
closed forms replace the generic change of variables where PyTorch's do.

Example:
    >>> import ember
    >>> from ember.distributions import LogNormal
    >>> d = LogNormal(ember.tensor(0.0), ember.tensor(1.0))
    >>> d.log_prob(ember.tensor(1.0)), d.mean
    (tensor(-0.9189), tensor(1.6487))
"""
from __future__ import annotations

import math

import ember
from ember import special

from . import constraints
from .continuous import Exponential, Normal, Uniform
from .gamma_family import Gamma
from .transformed import _Pushforward
from .transforms import AbsTransform, AffineTransform, ExpTransform, PowerTransform
from .transforms_shaped import StickBreakingTransform
from .utils import broadcast_all

EULER_GAMMA = 0.57721566490153286061
_LOG_2 = math.log(2.0)


class LogNormal(_Pushforward):
    """``exp(X)`` for ``X ~ Normal(loc, scale)``.

    Example:
        >>> import ember
        >>> from ember.distributions import LogNormal
        >>> d = LogNormal(ember.tensor(0.0), ember.tensor(1.0))
        >>> d.log_prob(ember.tensor(1.0)), d.mean
        (tensor(-0.9189), tensor(1.6487))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(),
                         validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale ** 2 / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale ** 2).exp()

    @property
    def variance(self):
        variance = self.scale ** 2
        return variance.expm1() * (2 * self.loc + variance).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class HalfNormal(_Pushforward):
    """``|X|`` for ``X ~ Normal(0, scale)``.

    Example:
        >>> import ember
        >>> from ember.distributions import HalfNormal
        >>> d = HalfNormal(ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(1.0)), d.mean
        (tensor(-1.0439), tensor(1.5958))
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _param_names = ("scale",)

    def __init__(self, scale, validate_args=None):
        base = Normal(0.0, scale, validate_args=validate_args)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def scale(self):
        return self.base_dist.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + _LOG_2
        return ember.where(value >= 0, log_prob, ember.full_like(log_prob, -math.inf))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - _LOG_2

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.scale ** 2 * (1 - 2 / math.pi)


class Gumbel(_Pushforward):
    """Gumbel (type-I extreme value) with location ``loc`` and scale ``scale``:
    ``loc - scale * log(-log U)`` for uniform ``U``.

    Example:
        >>> import ember
        >>> from ember.distributions import Gumbel
        >>> d = Gumbel(ember.tensor(0.0), ember.tensor(1.0))
        >>> d.log_prob(ember.tensor(0.0)), d.cdf(ember.tensor(0.0))
        (tensor(-1.), tensor(0.3679))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        info = ember.finfo(self.loc.dtype)
        base = Uniform(ember.full_like(self.loc, info.tiny), ember.full_like(self.loc, 1 - info.eps),
                       validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(0, -ember.ones_like(self.scale)),
                      ExpTransform().inv, AffineTransform(self.loc, -self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self):
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev ** 2

    def entropy(self):
        return self.scale.log() + (1 + EULER_GAMMA)


class Weibull(_Pushforward):
    """Weibull with ``scale`` and shape ``concentration``: ``scale * E ** (1 / concentration)``
    for a unit exponential ``E``.

    Example:
        >>> import ember
        >>> from ember.distributions import Weibull
        >>> d = Weibull(ember.tensor(1.0), ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(1.0)), d.mean
        (tensor(-0.3069), tensor(0.8862))
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _param_names = ("scale", "concentration")

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(ember.ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(self.concentration_reciprocal), AffineTransform(0, self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * special.gammaln(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k) ** k.reciprocal()

    @property
    def variance(self):
        inv = self.concentration_reciprocal
        return self.scale ** 2 * (special.gammaln(1 + 2 * inv).exp() - (2 * special.gammaln(1 + inv)).exp())

    def entropy(self):
        inv = self.concentration_reciprocal
        return EULER_GAMMA * (1 - inv) + (self.scale * inv).log() + 1


def _kumaraswamy_moment(a, b, n: int):
    """E[X^n] = b * B(1 + n / a, b)."""
    first = 1 + n / a
    return b * (special.gammaln(first) + special.gammaln(b) - special.gammaln(first + b)).exp()


class Kumaraswamy(_Pushforward):
    """Kumaraswamy on [0, 1] with ``concentration1`` (a) and ``concentration0`` (b):
    ``(1 - U ** (1 / b)) ** (1 / a)`` for uniform ``U``.

    Example:
        >>> import ember
        >>> from ember.distributions import Kumaraswamy
        >>> d = Kumaraswamy(ember.tensor(2.0), ember.tensor(3.0))
        >>> d.log_prob(ember.tensor(0.5)), d.mode
        (tensor(0.5232), tensor(0.4472))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True
    _param_names = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(ember.zeros_like(self.concentration0), ember.ones_like(self.concentration0),
                       validate_args=validate_args)
        transforms = [PowerTransform(self.concentration0.reciprocal()), AffineTransform(1.0, -1.0),
                      PowerTransform(self.concentration1.reciprocal())]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        """``((a - 1) / (a b - 1)) ** (1 / a)`` for a, b >= 1, else nan. (PyTorch 2.13's formula
        gives nan everywhere; this one is the density's argmax.)"""
        a, b = self.concentration1, self.concentration0
        valid = (a >= 1) & (b >= 1)
        safe_a = ember.where(valid, a, ember.full_like(a, 2.0))  # keeps the unused branch finite
        safe_b = ember.where(valid, b, ember.full_like(b, 2.0))
        mode = (((safe_a - 1).log() - (safe_a * safe_b - 1).log()) / safe_a).exp()
        return ember.where(valid, mode, ember.full_like(mode, math.nan))

    @property
    def variance(self):
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 2) - self.mean ** 2

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        harmonic_b = special.digamma(b + 1) + EULER_GAMMA
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic_b - a.log() - b.log()


class InverseGamma(_Pushforward):
    """``1 / X`` for ``X ~ Gamma(concentration, rate)`` (so ``rate`` acts as a scale).

    Example:
        >>> import ember
        >>> from ember.distributions import InverseGamma
        >>> d = InverseGamma(ember.tensor(3.0), ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(1.0)), d.mean
        (tensor(-0.6137), tensor(1.))
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _param_names = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=None):
        base = Gamma(concentration, rate, validate_args=validate_args)
        super().__init__(base, PowerTransform(-ember.ones_like(base.rate)), validate_args=validate_args)

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        a = self.concentration
        result = self.rate / (a - 1)
        return ember.where(a > 1, result, ember.full_like(result, math.inf))

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        a = self.concentration
        result = self.rate ** 2 / ((a - 1) ** 2 * (a - 2))
        return ember.where(a > 2, result, ember.full_like(result, math.inf))

    def entropy(self):
        a = self.concentration
        return a + self.rate.log() + special.gammaln(a) - (1 + a) * special.digamma(a)


class LogisticNormal(_Pushforward):
    """Points of the ``K``-simplex from ``K - 1`` independent normals by stick-breaking
    (``loc`` and ``scale`` have ``K - 1`` entries along the last dim).

    Example:
        >>> import ember
        >>> from ember.distributions import LogisticNormal
        >>> d = LogisticNormal(ember.zeros(2), ember.ones(2))
        >>> d.sample((5,)).shape, d.log_prob(ember.tensor([0.2, 0.3, 0.5]))
        ((5, 3), tensor(1.2980))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True
    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        shape = tuple(batch_shape) + (self.loc.shape[-1],)
        new = LogisticNormal(self.loc.expand(shape), self.scale.expand(shape), validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
