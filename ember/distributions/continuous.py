"""Continuous distributions on the real line or an interval: Normal, LogNormal-free basics,
Laplace, Uniform and Exponential, each with a reparameterised sampler."""
from __future__ import annotations

import math

import ember

from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _draw(draw, shape, like):
    return draw(*shape, dtype=like.dtype) if shape else draw((), dtype=like.dtype)


class Normal(ExponentialFamily):
    """Gaussian with mean ``loc`` and standard deviation ``scale``.

    Example:
        >>> import ember
        >>> from ember.distributions import Normal
        >>> Normal(0.0, 1.0).log_prob(ember.tensor(0.0))
        tensor(-0.9189)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return self.loc + _draw(ember.randn, shape, self.loc) * self.scale

    @property
    def _natural_params(self):
        return (self.loc / self.scale ** 2, -0.5 / self.scale ** 2)

    def _log_normalizer(self, x, y):
        return -0.25 * x ** 2 / y + 0.5 * (-math.pi / y).log()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        variance = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * variance) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value):
        return 0.5 * (1 + ember.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.loc + self.scale * ember.special.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2


class Laplace(Distribution):
    """Laplace (double exponential) with location ``loc`` and scale ``scale``.

    Example:
        >>> import ember
        >>> from ember.distributions import Laplace
        >>> Laplace(ember.tensor(0.0), ember.tensor(1.0)).log_prob(ember.tensor(1.0))
        tensor(-1.6931)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = float(ember.finfo(self.loc.dtype).eps) if hasattr(ember, "finfo") else 1e-7
        u = _draw(ember.rand, shape, self.loc) * (2 - 2 * eps) - (1 - eps)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ember.log(2 * self.scale) - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        return 0.5 - 0.5 * (value - self.loc).sign() * ember.expm1(-(value - self.loc).abs() / self.scale)

    def entropy(self):
        return 1 + ember.log(2 * self.scale)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale ** 2


class Uniform(Distribution):
    """Uniform on the half-open interval ``[low, high)``.

    Example:
        >>> import ember
        >>> from ember.distributions import Uniform
        >>> d = Uniform(ember.tensor(0.0), ember.tensor(4.0))
        >>> d.log_prob(ember.tensor(1.0)), d.icdf(ember.tensor(0.5))
        (tensor(-1.3863), tensor(2.))
    """

    arg_constraints = {"low": constraints.real, "high": constraints.real}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(tuple(self.low.shape), validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ValueError("Uniform: expected low < high everywhere (parameter low of "
                             f"shape {tuple(self.low.shape)} is not below high)")

    @property
    def support(self):
        return constraints.half_open_interval(self.low, self.high)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return self.low + _draw(ember.rand, shape, self.low) * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = ((self.low <= value) & (self.high > value)).to(self.low.dtype)
        return ember.log(inside) - ember.log(self.high - self.low)

    def cdf(self, value):
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return ember.log(self.high - self.low)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.mean * float("nan")

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12


class Exponential(ExponentialFamily):
    """Exponential with ``rate`` (mean ``1 / rate``).

    Example:
        >>> import ember
        >>> from ember.distributions import Exponential
        >>> d = Exponential(ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(1.0)), d.cdf(ember.tensor(1.0))
        (tensor(-1.3069), tensor(0.8647))
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, x):
        return -(-x).log()

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        uniform = _draw(ember.rand, shape, self.rate)
        return -ember.log1p(-uniform) / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        return 1 - ember.exp(-self.rate * value)

    def icdf(self, value):
        return -ember.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return ember.zeros_like(self.rate)

    @property
    def variance(self):
        return self.rate ** -2
