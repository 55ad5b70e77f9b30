"""Transforms applied element by element: exp, sigmoid, softplus, tanh, abs, power, affine and a
distribution's cdf, each with its inverse and log-abs-det-Jacobian.

Example:
    >>> import ember
    >>> from ember.distributions.transforms_elementwise import TanhTransform
    >>> t = TanhTransform()
    >>> t(ember.tensor(0.5)), t.log_abs_det_jacobian(ember.tensor(0.5), t(ember.tensor(0.5)))
    (tensor(0.4621), tensor(-0.2402))
"""
from __future__ import annotations

import math
import numbers

import ember
from ember.nn import functional as F

from . import constraints
from .transform_base import Transform
from .utils import broadcast_shapes, clamp_probs


class _Elementwise(Transform):
    """A bijection applied to each element; equal to any other instance of its class."""

    bijective = True
    sign = +1

    def __eq__(self, other) -> bool:
        return isinstance(other, type(self))

    __hash__ = object.__hash__


class ExpTransform(_Elementwise):
    """``y = exp(x)`` from the reals onto the positive reals.

    Example:
        >>> import ember
        >>> from ember.distributions import ExpTransform
        >>> t = ExpTransform()
        >>> x = ember.tensor(1.0)
        >>> t(x), t.inv(t(x)), t.log_abs_det_jacobian(x, t(x))
        (tensor(2.7183), tensor(1.0000), tensor(1.))
    """

    codomain = constraints.positive

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SigmoidTransform(_Elementwise):
    """``y = sigmoid(x)`` onto (0, 1), clamped away from 0 and 1 so its inverse stays finite.

    Example:
        >>> import ember
        >>> from ember.distributions import SigmoidTransform
        >>> t = SigmoidTransform()
        >>> t(ember.tensor(0.0)), t.log_abs_det_jacobian(ember.tensor(0.0), t(ember.tensor(0.0)))
        (tensor(0.5000), tensor(-1.3863))
    """

    codomain = constraints.unit_interval

    def _call(self, x):
        return clamp_probs(ember.sigmoid(x))

    def _inverse(self, y):
        info = ember.finfo(y.dtype)
        y = y.clamp(min=info.tiny, max=1 - info.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x) - F.softplus(x)


class SoftplusTransform(_Elementwise):
    """``y = log(1 + exp(x))`` onto the positive reals.

    Example:
        >>> import ember
        >>> from ember.distributions import SoftplusTransform
        >>> t = SoftplusTransform()
        >>> t(ember.tensor(0.0)), t.inv(ember.tensor(1.0))
        (tensor(0.6931), tensor(0.5413))
    """

    codomain = constraints.positive

    def _call(self, x):
        return F.softplus(x)

    def _inverse(self, y):
        return (-(-y).expm1()).log() + y  # log(exp(y) - 1) without overflow

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x)


class TanhTransform(_Elementwise):
    """``y = tanh(x)`` onto [-1, 1].

    Example:
        >>> import ember
        >>> from ember.distributions import TanhTransform
        >>> t = TanhTransform()
        >>> t(ember.tensor(0.5)), t.inv(ember.tensor(0.5))
        (tensor(0.4621), tensor(0.5493))
    """

    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return ember.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        # log(1 - tanh(x)^2) written so it neither overflows nor loses precision for large |x|
        return 2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))


class AbsTransform(Transform):
    """``y = |x|``; not injective, so ``inv`` returns the nonnegative preimage.

    Example:
        >>> import ember
        >>> from ember.distributions import AbsTransform
        >>> AbsTransform()(ember.tensor([-2.0, 3.0]))
        tensor([2., 3.])
    """

    codomain = constraints.positive

    def __eq__(self, other) -> bool:
        return isinstance(other, AbsTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """``y = x ** exponent`` on the positive reals.

    Example:
        >>> import ember
        >>> from ember.distributions.transforms import PowerTransform
        >>> PowerTransform(ember.tensor(3.0)).inv(ember.tensor(8.0))
        tensor(2.)
    """

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.exponent = exponent if isinstance(exponent, ember.Tensor) else ember.tensor(float(exponent))

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self if self._cache_size == cache_size else PowerTransform(self.exponent, cache_size)

    @property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other) -> bool:
        return isinstance(other, PowerTransform) and bool((self.exponent == other.exponent).all())

    __hash__ = object.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape) -> tuple:
        return broadcast_shapes(shape, tuple(self.exponent.shape))

    inverse_shape = forward_shape


def _shape_of(value) -> tuple:
    return tuple(value.shape) if isinstance(value, ember.Tensor) else ()


class AffineTransform(Transform):
    """``y = loc + scale * x``; ``event_dim`` trailing dims count as one event (the Jacobian is
    summed over them).

    Example:
        >>> import ember
        >>> from ember.distributions.transforms import AffineTransform
        >>> t = AffineTransform(1.0, ember.tensor([2.0, -0.5]))
        >>> t(ember.tensor([1.0, 1.0])), t.log_abs_det_jacobian(ember.zeros(2), ember.zeros(2))
        (tensor([3.0000, 0.5000]), tensor([ 0.6931, -0.6931]))
    """

    bijective = True

    def __init__(self, loc, scale, event_dim: int = 0, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.loc, self.scale, self._event_dim = loc, scale, event_dim

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @property
    def domain(self):
        return constraints.real if self._event_dim == 0 else constraints.independent(constraints.real,
                                                                                     self._event_dim)

    codomain = domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self._event_dim, cache_size=cache_size)

    def __eq__(self, other) -> bool:
        if not isinstance(other, AffineTransform):
            return False
        for mine, theirs in ((self.loc, other.loc), (self.scale, other.scale)):
            if isinstance(mine, numbers.Number) and isinstance(theirs, numbers.Number):
                if mine != theirs:
                    return False
            elif not bool(ember.as_tensor(mine == theirs).all()):
                return False
        return True

    __hash__ = object.__hash__

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        if isinstance(self.scale, numbers.Real):
            result = ember.full_like(x, math.log(abs(self.scale)))
        else:
            result = self.scale.abs().log()
        if self._event_dim:
            result = result.reshape(tuple(result.shape[:-self._event_dim]) + (-1,)).sum(-1)
            shape = shape[:-self._event_dim]
        return result.expand(shape)

    def forward_shape(self, shape) -> tuple:
        return broadcast_shapes(shape, _shape_of(self.loc), _shape_of(self.scale))

    inverse_shape = forward_shape

    def __repr__(self) -> str:
        return f"AffineTransform(loc={self.loc}, scale={self.scale})"


class CumulativeDistributionTransform(Transform):
    """``y = distribution.cdf(x)``: a distribution's support onto [0, 1] (its inverse is ``icdf``).

    Example:
        >>> import ember
        >>> from ember.distributions import CumulativeDistributionTransform, Normal
        >>> t = CumulativeDistributionTransform(Normal(ember.tensor(0.0), ember.tensor(1.0)))
        >>> t(ember.tensor(0.0)), t.inv(ember.tensor(0.975))
        (tensor(0.5000), tensor(1.9600))
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
