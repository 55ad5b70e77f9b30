"""Probability distributions in PyTorch's ``torch.distributions`` style.

Each distribution has ``sample``/``rsample`` (reparameterised, differentiable, where it
exists), ``log_prob``, ``entropy``, ``mean``, ``mode``, ``variance`` and argument validation
as PyTorch; ``kl_divergence`` covers the registered pairs. Everything is composed from Ember
ops, so gradients flow through parameters to ``log_prob``, ``entropy`` and ``rsample``.

Gamma, Beta and Dirichlet ``rsample`` use implicit reparameterisation gradients, as
PyTorch's do. Not yet: transformed distributions and ``Gamma.cdf``.

Example:
    >>> import ember
    >>> from ember.distributions import Categorical
    >>> logits = ember.zeros(3, requires_grad=True)
    >>> policy = Categorical(logits=logits)
    >>> loss = -policy.log_prob(ember.tensor(1)) * 2.0
    >>> loss.backward()
    >>> logits.grad
    tensor([ 0.6667, -1.3333,  0.6667])
"""
from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .gamma_family import Beta, Dirichlet, Gamma
from .kl import kl_divergence, register_kl
from .multivariate import Independent, MultivariateNormal

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
