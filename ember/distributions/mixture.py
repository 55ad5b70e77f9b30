"""``MixtureSameFamily``: a categorical choice among ``K`` components of one family, the
components being the last batch dimension of ``component_distribution``.

Example:
    >>> import ember
    >>> from ember.distributions import Categorical, MixtureSameFamily, Normal
    >>> mix = MixtureSameFamily(Categorical(probs=ember.tensor([0.5, 0.5])),
    ...                         Normal(ember.tensor([-1.0, 1.0]), ember.tensor([1.0, 1.0])))
    >>> mix.log_prob(ember.tensor(0.0)), mix.mean, mix.variance
    (tensor(-1.4189), tensor(0.), tensor(2.))
"""
from __future__ import annotations

import ember

from . import constraints
from .discrete import Categorical
from .distribution import Distribution


class MixtureSameFamily(Distribution):
    """``p(x) = sum_k pi_k p_k(x)`` with ``pi`` from ``mixture_distribution`` (a Categorical).

    Example:
        >>> import ember
        >>> from ember.distributions import Categorical, MixtureSameFamily, Normal
        >>> weights = Categorical(probs=ember.tensor([0.3, 0.7]))
        >>> d = MixtureSameFamily(weights, Normal(ember.tensor([-2.0, 2.0]), ember.tensor([1.0, 1.0])))
        >>> d.mean, d.sample((4,)).shape
        (tensor(0.8000), (4,))
    """

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of "
                             "ember.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of "
                             "ember.distributions.Distribution")
        mixture_batch = tuple(mixture_distribution.batch_shape)
        component_batch = tuple(component_distribution.batch_shape[:-1])
        for size1, size2 in zip(reversed(mixture_batch), reversed(component_batch)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mixture_batch}) is not compatible "
                                 f"with `component_distribution.batch_shape`({component_batch})")
        k_mixture = mixture_distribution.logits.shape[-1]
        k_components = component_distribution.batch_shape[-1]
        if k_mixture != k_components:
            raise ValueError(f"`mixture_distribution component` ({k_mixture}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({k_components})")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = k_mixture
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(component_batch, tuple(component_distribution.event_shape),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _instance or type(self).__new__(type(self))
        batch_shape = tuple(batch_shape)
        new._component_distribution = self._component_distribution.expand(batch_shape + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component, new._event_ndims = self._num_component, self._event_ndims
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    def _pad(self, x):
        """``x`` with the component dimension added (before the event dims)."""
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, probs):
        """Mixture weights shaped to broadcast against the components' (batch, K, event) values."""
        batch_ndims = len(self._batch_shape)
        mixture_batch_ndims = len(self._mixture_distribution.batch_shape)
        pad = 0 if mixture_batch_ndims == 1 else batch_ndims - mixture_batch_ndims
        shape = tuple(probs.shape)
        return probs.reshape(shape[:-1] + (1,) * pad + shape[-1:] + (1,) * self._event_ndims)

    @property
    def mean(self):
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        """Law of total variance: E[Var(X | k)] + Var(E[X | k])."""
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        components = self._component_distribution
        mean_of_variances = (probs * components.variance).sum(-1 - self._event_ndims)
        spread = (components.mean - self._pad(self.mean)) ** 2
        return mean_of_variances + (probs * spread).sum(-1 - self._event_ndims)

    def cdf(self, x):
        cdf = self._component_distribution.cdf(self._pad(x))
        return (cdf * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        log_prob = self._component_distribution.log_prob(self._pad(x))
        log_weights = ember.log_softmax(self._mixture_distribution.logits, dim=-1)
        return (log_prob + log_weights).logsumexp(dim=-1)

    def sample(self, sample_shape=()):
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        sample_shape = tuple(sample_shape)
        with ember.no_grad():
            gather_dim = len(sample_shape) + len(self._batch_shape)
            choice = self._mixture_distribution.sample(sample_shape)
            draws = self._component_distribution.sample(sample_shape)
            index = choice.reshape(tuple(choice.shape) + (1,) * (self._event_ndims + 1))
            index = index.expand(tuple(choice.shape) + (1,) + tuple(self._event_shape))
            return ember.gather(draws, gather_dim, index).squeeze(gather_dim)

    def __repr__(self) -> str:
        return f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  {self._component_distribution!r})"
