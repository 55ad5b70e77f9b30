"""``ExponentialFamily``: distributions of the form ``p(x) = h(x) exp(<theta, t(x)> - A(theta))``.

A subclass gives its natural parameters ``theta`` (``_natural_params``), the log-normaliser
``A`` (``_log_normalizer``) and ``E[log h(x)]`` (``_mean_carrier_measure``); the entropy then
follows from the Bregman divergence of ``A``, with ``grad A`` taken by Ember's autograd.

Example:
    >>> import ember
    >>> from ember.distributions import ExponentialFamily, Poisson
    >>> isinstance(Poisson(ember.tensor(2.0)), ExponentialFamily)
    True
"""
from __future__ import annotations

import ember

from .distribution import Distribution


class ExponentialFamily(Distribution):
    """Base of the exponential families; ``entropy`` comes from the log-normaliser.

    Example:
        >>> import ember
        >>> from ember.distributions import ExponentialFamily, Normal
        >>> d = Normal(ember.tensor(0.0), ember.tensor(1.0))
        >>> isinstance(d, ExponentialFamily), ExponentialFamily.entropy(d).detach(), d.entropy()
        (True, tensor(1.4189), tensor(1.4189))
    """

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} does not give its natural parameters")

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError(f"{type(self).__name__} does not give its log-normaliser")

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError(f"{type(self).__name__} does not give its mean carrier measure")

    def entropy(self):
        """``A(theta) - <theta, grad A(theta)> - E[log h(x)]`` (not differentiable in the parameters,
        as PyTorch's generic version)."""
        result = -self._mean_carrier_measure
        params = [p.detach().requires_grad_(True) for p in self._natural_params]
        with ember.enable_grad():
            log_normalizer = self._log_normalizer(*params)
            grads = ember.autograd.grad(log_normalizer.sum(), params, create_graph=True)
        result = result + log_normalizer
        for param, grad in zip(params, grads):
            result = result - (param * grad).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
