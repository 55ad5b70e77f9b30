"""Count distributions: Poisson, Binomial, Geometric, NegativeBinomial and Multinomial.
Draws carry no gradient (they are integers); ``log_prob`` is differentiable in the parameters.

Example:
    >>> import ember
    >>> from ember.distributions import Binomial, Poisson
    >>> Poisson(ember.tensor(2.0)).log_prob(ember.tensor(1.0))
    tensor(-1.3069)
    >>> Binomial(4, probs=ember.tensor(0.5)).log_prob(ember.tensor(2.0))
    tensor(-0.9808)
"""
from __future__ import annotations

import math

import ember
from ember import special
from ember.nn import functional as F

from . import constraints
from .discrete import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma_family import Gamma
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


def _one_of(probs, logits, family: str) -> None:
    if (probs is None) == (logits is None):
        raise ValueError(f"{family}: either `probs` or `logits` must be specified, but not both.")


class _BinaryParameter:
    """A success probability given as ``probs`` or ``logits``; the other is made on first use."""

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    def _set_parameter(self, probs, logits, *others):
        """Broadcast ``others`` (counts) with the given parameter; returns (param, *others)."""
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        values = broadcast_all(given, *others)
        setattr(self, name, values[0])
        return values


class Poisson(ExponentialFamily):
    """Counts with mean ``rate``.

    Example:
        >>> import ember
        >>> from ember.distributions import Poisson
        >>> d = Poisson(ember.tensor(3.0))
        >>> d.log_prob(ember.tensor(2.0)), d.variance
        (tensor(-1.4959), tensor(3.))
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    def sample(self, sample_shape=()):
        with ember.no_grad():
            return ember.poisson(self.rate.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return special.xlogy(value, rate) - rate - special.gammaln(value + 1)

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, natural):
        return natural.exp()

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate


def _clamp_by_zero(x):
    """max(x, 0) whose gradient at 0 is 1/2, as PyTorch's (so gradients agree there too)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(_BinaryParameter, Distribution):
    """Successes in ``total_count`` trials of probability ``probs`` (or ``sigmoid(logits)``).

    Example:
        >>> import ember
        >>> from ember.distributions import Binomial
        >>> d = Binomial(10, probs=ember.tensor(0.3))
        >>> d.log_prob(ember.tensor(3.0)), d.mean, d.variance
        (tensor(-1.3212), tensor(3.), tensor(2.1000))
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, "Binomial")
        param, total_count = self._set_parameter(probs, logits, total_count)
        self.total_count = total_count.to(param.dtype)
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @property
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def param_shape(self) -> tuple:
        return self._batch_shape

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_choose = special.gammaln(n + 1) - special.gammaln(value + 1) - special.gammaln(n - value + 1)
        # n * log(1 + exp(logits)), stable for logits of either sign
        normaliser = n * _clamp_by_zero(logits) + n * (-logits.abs()).exp().log1p()
        return value * logits + log_choose - normaliser

    def _homogeneous_count(self, what: str) -> int:
        count = int(self.total_count.max())
        if int(self.total_count.min()) != count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return count

    def enumerate_support(self, expand=True):
        count = self._homogeneous_count("enumerate_support")
        values = ember.arange(1 + count, dtype=self.total_count.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)


class Geometric(_BinaryParameter, Distribution):
    """Failures before the first success in trials of probability ``probs``: 0, 1, 2, ...

    Example:
        >>> import ember
        >>> from ember.distributions import Geometric
        >>> d = Geometric(probs=ember.tensor(0.25))
        >>> d.log_prob(ember.tensor(2.0)), d.mean
        (tensor(-1.9617), tensor(3.))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, "Geometric")
        (param,) = self._set_parameter(probs, logits)
        super().__init__(tuple(param.shape), validate_args=validate_args)
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                             f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                             f"found invalid values:\n{self.probs}")

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            tiny = ember.finfo(self.probs.dtype).tiny
            uniform = (ember.rand(*shape, dtype=self.probs.dtype) if shape
                       else ember.rand((), dtype=self.probs.dtype)).clamp(min=tiny)
            return (uniform.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # P(0) = 1 when probs = 1: 0 * log(0) is taken as 0
        safe = ember.where((probs == 1) & (value == 0), ember.zeros_like(probs), probs)
        return value * (-safe).log1p() + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs


class NegativeBinomial(_BinaryParameter, Distribution):
    """Successes before ``total_count`` failures, each trial a success with probability ``probs``.

    Example:
        >>> import ember
        >>> from ember.distributions import NegativeBinomial
        >>> d = NegativeBinomial(ember.tensor(3.0), probs=ember.tensor(0.4))
        >>> d.log_prob(ember.tensor(2.0)), d.mean
        (tensor(-1.5733), tensor(2.))
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, "NegativeBinomial")
        param, total_count = self._set_parameter(probs, logits, total_count)
        self.total_count = total_count.to(param.dtype)
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @property
    def param_shape(self) -> tuple:
        return self._batch_shape

    def sample(self, sample_shape=()):
        """A Poisson count whose rate is Gamma(total_count, exp(-logits)): the gamma-Poisson mixture."""
        with ember.no_grad():
            rate = Gamma(self.total_count, (-self.logits).exp(), validate_args=False).sample(sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        unnormalized = n * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        normaliser = -special.gammaln(n + value) + special.gammaln(1.0 + value) + special.gammaln(n)
        normaliser = ember.where(n + value == 0.0, ember.zeros_like(normaliser), normaliser)
        return unnormalized - normaliser

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ember.sigmoid(-self.logits)


class Multinomial(Distribution):
    """Counts of ``total_count`` draws over ``K`` categories of probabilities ``probs`` (or
    ``softmax(logits)``); ``log_prob`` accepts any total, as PyTorch's.

    Example:
        >>> import ember
        >>> from ember.distributions import Multinomial
        >>> d = Multinomial(4, probs=ember.tensor([0.5, 0.25, 0.25]))
        >>> d.log_prob(ember.tensor([2.0, 1.0, 1.0])), d.sample().sum()
        (tensor(-1.6740), tensor(4.))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count: int = 1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, tuple(batch_shape), self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self) -> tuple:
        return self._categorical.param_shape

    def sample(self, sample_shape=()):
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        with ember.no_grad():
            draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
            counts = F.one_hot(draws, self._event_shape[0]).sum(0)
            return counts.to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        # 0 * (-inf) for a category of zero probability never drawn contributes 0
        logits = ember.where((value == 0) & (logits == -math.inf), ember.zeros_like(logits), logits)
        log_factorial_n = special.gammaln(value.sum(-1) + 1)
        log_factorial_xs = special.gammaln(value + 1).sum(-1)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)

    def entropy(self):
        """``n H(cat) - log n! + sum_k E[log x_k!]`` with each ``x_k`` binomial."""
        n = self.total_count
        term1 = n * self._categorical.entropy() - math.lgamma(n + 1)
        binomial = Binomial(n, probs=self.probs, validate_args=False)
        support = binomial.enumerate_support(expand=False)[1:]
        term2 = (binomial.log_prob(support).exp() * special.gammaln(support + 1)).sum([0, -1])
        return term1 + term2

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)
