"""VonMises: the circular normal on angles, with mean direction ``loc`` and concentration.

The normaliser needs ``log I0(kappa)`` and the variance ``I1 / I0``: both from the
exponentially scaled ``i0e``/``i1e``, so they stay finite for any concentration (PyTorch's use
a polynomial fit, about 1e-7 off).

Example:
    >>> import ember
    >>> from ember.distributions import VonMises
    >>> VonMises(ember.tensor(0.0), ember.tensor(1.0)).log_prob(ember.tensor(0.0))
    tensor(-1.0738)
"""
from __future__ import annotations

import math

import ember
from ember import special

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

def _log_i0(kappa):
    """log I0(kappa) = log(i0e(kappa)) + kappa: finite for every kappa (i0e is I0 scaled by exp(-kappa))."""
    return special.i0e(kappa).log() + kappa


class VonMises(Distribution):
    """Von Mises on the circle (values in [-pi, pi)); sampled by Best and Fisher's rejection
    scheme, so there is no ``rsample`` (as in PyTorch).

    Example:
        >>> import ember
        >>> from ember.distributions import VonMises
        >>> d = VonMises(ember.tensor(0.0), ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(0.0)), d.variance
        (tensor(-0.6619), tensor(0.3022))
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration * ember.cos(value - self.loc) - math.log(2 * math.pi)
                - _log_i0(self.concentration))

    def _proposal_r(self, kappa):
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        proposal = (1 + rho ** 2) / (2 * rho)
        return ember.where(kappa < 1e-5, 1 / kappa + kappa, proposal)  # its Taylor form near 0

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            loc = self.loc.to(ember.float64).expand(shape)
            kappa = self.concentration.to(ember.float64).expand(shape)
            r = self._proposal_r(kappa)
            angle = ember.zeros(shape, dtype=ember.float64)
            done = ember.zeros(shape, dtype=ember.bool)
            while not bool(done.all()):
                u1, u2, u3 = (ember.rand(*shape, dtype=ember.float64) if shape
                              else ember.rand((), dtype=ember.float64) for _ in range(3))
                z = ember.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
                accept = accept & ~done
                angle = ember.where(accept, (u3 - 0.5).sign() * ember.acos(f), angle)
                done = done | accept
            return ((angle + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The circular variance ``1 - I1(kappa) / I0(kappa)``."""
        return 1 - special.i1e(self.concentration) / special.i0e(self.concentration)
