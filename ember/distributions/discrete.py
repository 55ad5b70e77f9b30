"""Discrete distributions: Bernoulli, Categorical and OneHotCategorical."""
from __future__ import annotations

import ember
from ember.nn import functional as F

from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


def _one_of(probs, logits, family):
    if (probs is None) == (logits is None):
        raise ValueError(f"{family}: either `probs` or `logits` must be specified, but not both.")


class Bernoulli(ExponentialFamily):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

    Example:
        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(probs=ember.tensor([0.25])).log_prob(ember.tensor([1.0]))
        tensor([-1.3863])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, "Bernoulli")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return (ember.rand(*shape, dtype=self.probs.dtype) < self.probs.expand(shape)).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    @property
    def _natural_params(self):
        return (ember.logit(self.probs),)

    def _log_normalizer(self, x):
        return x.exp().log1p()

    @property
    def param_shape(self) -> tuple:
        return self._batch_shape

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self.probs.dtype).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ember.where(self.probs == 0.5, ember.full_like(mode, float("nan")), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)


class Categorical(Distribution):
    """One of ``K`` categories with probabilities ``probs`` (or ``softmax(logits)``) along the last dim.

    Example:
        >>> import ember
        >>> from ember.distributions import Categorical
        >>> d = Categorical(logits=ember.zeros(4))
        >>> d.log_prob(ember.tensor(2)), d.entropy()
        (tensor(-1.3863), tensor(1.3863))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, type(self).__name__)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(tuple(param.shape[:-1]), validate_args=validate_args)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @property
    def param_shape(self) -> tuple:
        return self._batch_shape + (self._num_events,)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        shape = tuple(batch_shape) + (self._num_events,)
        for name in ("probs", "logits"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand(shape)
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        return new

    def sample(self, sample_shape=()):
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        count = 1
        for size in sample_shape:
            count *= size
        with ember.no_grad():
            flat = self.probs.reshape(-1, self._num_events)
            draws = ember.multinomial(flat, count, replacement=True)  # (batch, count)
            return draws.T.reshape(tuple(sample_shape) + self._batch_shape)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        shape = tuple(ember.broadcast_tensors(value, self.logits)[0].shape[:-1]) + (1,)
        value = value.expand(shape)
        logits = self.logits.expand(shape[:-1] + (self._num_events,))
        return logits.gather(-1, value).squeeze(-1)

    def entropy(self):
        finite_min = ember.finfo(self.logits.dtype).min if hasattr(ember, "finfo") else -3.4e38
        logits = self.logits.clamp(min=finite_min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values

    @property
    def mean(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)


class OneHotCategorical(Distribution):
    """A Categorical whose draws are one-hot vectors of length ``K``.

    Example:
        >>> import ember
        >>> from ember.distributions import OneHotCategorical
        >>> d = OneHotCategorical(probs=ember.tensor([0.25, 0.75]))
        >>> d.log_prob(ember.tensor([0.0, 1.0])), d.sample((3,)).shape
        (tensor(-0.2877), (3, 2))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, (self._categorical.param_shape[-1],),
                         validate_args=False)

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self) -> tuple:
        return self._categorical.param_shape

    def enumerate_support(self, expand=True):
        """The ``K`` one-hot vectors, shaped ``(K,) + (1,) * len(batch_shape) + (K,)`` (or expanded)."""
        k = self._event_shape[0]
        values = ember.eye(k, dtype=self.probs.dtype).view((k,) + (1,) * len(self._batch_shape) + (k,))
        return values.expand((k,) + self._batch_shape + (k,)) if expand else values

    def sample(self, sample_shape=()):
        indices = self._categorical.sample(sample_shape)
        return F.one_hot(indices, self._event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value):
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return F.one_hot(self.probs.argmax(-1), self._event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)


