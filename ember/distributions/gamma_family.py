"""Gamma, Beta and Dirichlet: distributions whose draws come from gamma variates.

Draws come from the ``standard_gamma`` primitive (NumPy's gamma sampler on the
generator ``ember.manual_seed`` seeds), whose gradient in the concentration is
PyTorch's implicit reparameterisation one, so ``rsample`` is differentiable as
PyTorch's is. Beta and Dirichlet normalise gamma draws (``x / (x + y)`` and
``g / g.sum()``), and their gradients are those of that composition: unbiased
pathwise gradients equal in expectation to PyTorch's, though PyTorch computes
the Dirichlet's per sample through the marginal Beta CDF, so single draws'
gradients differ.
"""
from __future__ import annotations

import numpy

import ember
from ember import special

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all


def standard_gamma(concentration):
    """Gamma(concentration, 1) draws of ``concentration``'s shape, differentiable in it."""
    return ember._standard_gamma(concentration)


class Gamma(ExponentialFamily):
    """Gamma with shape ``concentration`` and inverse scale ``rate``.

    Example:
        >>> import ember
        >>> from ember.distributions import Gamma
        >>> Gamma(ember.tensor(2.0), ember.tensor(1.0)).log_prob(ember.tensor(1.0))
        tensor(-1.)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(tuple(self.concentration.shape), validate_args=validate_args)

    has_rsample = True

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        with ember.no_grad():  # a large rate must not underflow a draw to 0 (PyTorch clamps too)
            value.detach().clamp_(min=float(numpy.finfo(value._data.dtype).tiny))
        return value

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, rate = self.concentration, self.rate
        return special.xlogy(a, rate) + special.xlogy(a - 1, value) - rate * value - special.gammaln(a)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + special.gammaln(a) + (1.0 - a) * special.digamma(a)

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return special.gammaln(x + 1) + (x + 1) * (-y.reciprocal()).log()

    def cdf(self, value):
        """The regularised lower incomplete gamma function P(concentration, rate * value);
        differentiable in ``value`` and ``rate`` (not in concentration, as in PyTorch)."""
        if self._validate_args:
            self._validate_sample(value)
        return special.gammainc(self.concentration, self.rate * value)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2


class Dirichlet(ExponentialFamily):
    """Dirichlet over the probability simplex with ``concentration`` along the last dim.

    Example:
        >>> import ember
        >>> from ember.distributions import Dirichlet
        >>> d = Dirichlet(ember.tensor([1.0, 2.0, 3.0]))
        >>> d.mean, d.sample((4,)).shape
        (tensor([0.1667, 0.3333, 0.5000]), (4, 3))
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = tuple(concentration.shape)
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    has_rsample = True

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        draws = standard_gamma(self.concentration.expand(shape))
        return draws / draws.sum(-1, keepdim=True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return (special.xlogy(a - 1.0, value).sum(-1) + special.gammaln(a.sum(-1))
                - special.gammaln(a).sum(-1))

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return (special.gammaln(a).sum(-1) - special.gammaln(a0) - (k - a0) * special.digamma(a0)
                - ((a - 1.0) * special.digamma(a)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return special.gammaln(x).sum(-1) - special.gammaln(x.sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        shifted = (self.concentration - 1).clamp(min=0.0)
        return shifted / shifted.sum(-1, keepdim=True)

    @property
    def variance(self):
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0 ** 2 * (a0 + 1))


class Beta(ExponentialFamily):
    """Beta on [0, 1] with ``concentration1`` (alpha) and ``concentration0`` (beta).

    Example:
        >>> import ember
        >>> from ember.distributions import Beta
        >>> d = Beta(ember.tensor(2.0), ember.tensor(3.0))
        >>> d.mean, d.log_prob(ember.tensor(0.5))
        (tensor(0.4000), tensor(0.4055))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(tuple(self.concentration1.shape), validate_args=validate_args)

    has_rsample = True

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration1.expand(shape))
        y = standard_gamma(self.concentration0.expand(shape))
        return x / (x + y)

    def _log_normaliser(self):
        a, b = self.concentration1, self.concentration0
        return special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)

    @property
    def _natural_params(self):
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x, y):
        return special.gammaln(x) + special.gammaln(y) - special.gammaln(x + y)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return special.xlogy(a - 1, value) + special.xlogy(b - 1, 1 - value) - self._log_normaliser()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return (self._log_normaliser() - (a - 1) * special.digamma(a) - (b - 1) * special.digamma(b)
                + (a + b - 2) * special.digamma(a + b))

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        a, b = self.concentration1, self.concentration0
        return (a - 1) / (a + b - 2)

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))


class Chi2(Gamma):
    """Chi-squared with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``.

    Example:
        >>> import ember
        >>> from ember.distributions import Chi2
        >>> Chi2(ember.tensor(2.0)).mean
        tensor(2.)
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, ember.full_like(df, 0.5), validate_args=validate_args)

    def _check_parameters(self) -> None:
        if not bool((self.concentration > 0).all()):
            raise ValueError(f"Expected parameter df ({type(self.df).__name__} of shape "
                             f"{tuple(self.df.shape)}) of distribution {self!r} to satisfy the "
                             f"constraint {constraints.positive!r}, but found invalid values:\n{self.df}")

    @property
    def df(self):
        return self.concentration * 2

    def expand(self, batch_shape, _instance=None):
        new = Chi2(self.df.expand(tuple(batch_shape)), validate_args=False)
        new._validate_args = self._validate_args
        return new

    def __repr__(self) -> str:
        return f"Chi2(df: {self.df if self.df.numel() == 1 else tuple(self.df.shape)})"
