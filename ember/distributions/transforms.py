"""Invertible maps between constraint sets, with log-abs-det-Jacobians: the building blocks of
``TransformedDistribution`` and of ``biject_to``/``transform_to``.

A ``Transform`` maps ``domain`` onto ``codomain``; ``t(x)`` applies it, ``t.inv(y)`` inverts
it and ``t.log_abs_det_jacobian(x, y)`` is ``log |dy/dx|`` summed over ``event_dim``
dimensions. Every map is composed from Ember ops, so gradients flow through all three.
This file holds the base, the inverse, composition and the elementwise maps; maps that change
or span event dimensions live in ``transforms_shaped.py``.

Example:
    >>> import ember
    >>> from ember.distributions.transforms import AffineTransform, ExpTransform, ComposeTransform
    >>> t = ComposeTransform([AffineTransform(0.0, 2.0), ExpTransform()])
    >>> x = ember.tensor([0.0, 0.5])
    >>> t(x), t.inv(t(x)), t.log_abs_det_jacobian(x, t(x))
    (tensor([1.0000, 2.7183]), tensor([0.0000, 0.5000]), tensor([0.6931, 1.6931]))
"""
from __future__ import annotations

import math
import numbers

import ember
from ember.nn import functional as F

from . import constraints
from .utils import broadcast_shapes, clamp_probs, sum_rightmost


class Transform:
    """An invertible (or at least right-invertible) map from ``domain`` to ``codomain``.

    Subclasses define ``_call``, ``_inverse`` and ``log_abs_det_jacobian``. With
    ``cache_size=1`` the last ``(x, y)`` pair is remembered, so inverting a value this
    transform produced returns the very ``x`` it came from (exact, and keeps its graph).

    Example:
        >>> import ember
        >>> from ember.distributions import Transform, constraints
        >>> class Square(Transform):
        ...     domain = codomain = constraints.positive
        ...     bijective = True
        ...     def _call(self, x):
        ...         return x * x
        ...     def _inverse(self, y):
        ...         return y.sqrt()
        ...
        >>> Square()(ember.tensor(3.0)), Square().inv(ember.tensor(4.0))
        (tensor(9.), tensor(2.))
    """

    bijective = False
    domain: constraints.Constraint = constraints.real
    codomain: constraints.Constraint = constraints.real

    def __init__(self, cache_size: int = 0):
        if cache_size not in (0, 1):
            raise ValueError(f"{type(self).__name__}: cache_size must be 0 or 1, got {cache_size}")
        self._cache_size = cache_size
        self._cached = (None, None)
        self._inv = None

    @property
    def event_dim(self) -> int:
        if self.domain.event_dim != self.codomain.event_dim:
            raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")
        return self.domain.event_dim

    @property
    def inv(self) -> "Transform":
        """The inverse map (one object per transform, so caches are shared)."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self):
        """+1 or -1: whether the (monotone, elementwise) map increases or decreases."""
        raise NotImplementedError(f"{type(self).__name__} has no sign (not monotone elementwise)")

    def with_cache(self, cache_size: int = 1) -> "Transform":
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self).__name__}.with_cache is not implemented")

    def __eq__(self, other) -> bool:
        return self is other

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x):
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached = (x, y)
        return y

    def _inv_call(self, y):
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached = (x, y)
        return x

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no forward map")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x, y):
        """``log |det dy/dx|`` at ``x`` (with ``y = self(x)``), over the batch."""
        raise NotImplementedError(f"{type(self).__name__} has no log_abs_det_jacobian")

    def forward_shape(self, shape) -> tuple:
        """The shape of ``self(x)`` for ``x`` of ``shape``."""
        return tuple(shape)

    def inverse_shape(self, shape) -> tuple:
        """The shape of ``self.inv(y)`` for ``y`` of ``shape``."""
        return tuple(shape)

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """``t.inv``: domain and codomain swapped, calls routed to the other direction."""

    def __init__(self, transform: Transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @property
    def domain(self):
        return self._inv.codomain

    @property
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self) -> Transform:
        return self._inv

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self._inv.with_cache(cache_size).inv

    def __eq__(self, other) -> bool:
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape) -> tuple:
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape) -> tuple:
        return self._inv.forward_shape(shape)

    def __repr__(self) -> str:
        return f"{self._inv!r}.inv"


def _widened(constraint, event_dim: int):
    """``constraint`` read over ``event_dim`` trailing dimensions (independent over the extra ones)."""
    if event_dim > constraint.event_dim:
        return constraints.independent(constraint, event_dim - constraint.event_dim)
    return constraint


class ComposeTransform(Transform):
    """``parts`` applied in order (``parts[0]`` first); ``ComposeTransform([])`` is the identity.

    Example:
        >>> import ember
        >>> from ember.distributions.transforms import ComposeTransform, ExpTransform, PowerTransform
        >>> t = ComposeTransform([ExpTransform(), PowerTransform(ember.tensor(2.0))])
        >>> t(ember.tensor(1.0)), t.inv(ember.tensor(4.0))
        (tensor(7.3891), tensor(0.6931))
    """

    def __init__(self, parts, cache_size: int = 0):
        if cache_size:
            parts = [part.with_cache(cache_size) for part in parts]
        super().__init__(cache_size=cache_size)
        self.parts = list(parts)

    def __eq__(self, other) -> bool:
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @property
    def domain(self):
        if not self.parts:
            return constraints.real
        # the event dims the first part must read so that every later part sees whole events
        count = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            count = max(count + part.domain.event_dim - part.codomain.event_dim, part.domain.event_dim)
        return _widened(self.parts[0].domain, count)

    @property
    def codomain(self):
        if not self.parts:
            return constraints.real
        count = self.parts[0].domain.event_dim
        for part in self.parts:
            count = max(count + part.codomain.event_dim - part.domain.event_dim, part.codomain.event_dim)
        return _widened(self.parts[-1].codomain, count)

    @property
    def bijective(self):
        return all(part.bijective for part in self.parts)

    @property
    def sign(self):
        sign = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    @property
    def inv(self) -> Transform:
        if self._inv is None:
            inverse = ComposeTransform([part.inv for part in reversed(self.parts)])
            inverse._inv = self
            self._inv = inverse
        return self._inv

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __call__(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ember.zeros_like(x)
        values = [x]
        for part in self.parts[:-1]:
            values.append(part(values[-1]))
        values.append(y)
        total = 0
        event_dim = self.domain.event_dim
        for part, x_i, y_i in zip(self.parts, values[:-1], values[1:]):
            term = part.log_abs_det_jacobian(x_i, y_i)
            total = total + sum_rightmost(term, event_dim - part.domain.event_dim)
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return total

    def forward_shape(self, shape) -> tuple:
        for part in self.parts:
            shape = part.forward_shape(shape)
        return tuple(shape)

    def inverse_shape(self, shape) -> tuple:
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return tuple(shape)

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(part) for part in self.parts)
        return f"ComposeTransform(\n    {inner}\n)"


identity_transform = ComposeTransform([])


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


# ``torch.distributions.transforms`` holds every transform: so does this module's namespace (the
# event-shaped ones are defined in transforms_shaped.py, which imports the base from here).
from .transforms_shaped import (CatTransform, CorrCholeskyTransform, IndependentTransform,  # noqa: E402
                                LowerCholeskyTransform, PositiveDefiniteTransform, ReshapeTransform,
                                SoftmaxTransform, StackTransform, StickBreakingTransform)

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "identity_transform"]
