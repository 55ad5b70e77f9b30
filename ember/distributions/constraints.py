"""Supports and parameter domains: each constraint says whether a value lies in it.

``check(value)`` returns a boolean tensor over the batch (event dimensions reduced), which
argument validation turns into a ValueError as PyTorch's distributions do.
"""
from __future__ import annotations

import ember


class Constraint:
    """A set of values; ``event_dim`` is how many trailing dimensions one element spans."""

    event_dim = 0
    is_discrete = False

    def check(self, value):
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Real(Constraint):
    def check(self, value):
        return value == value  # False only for NaN


class _GreaterThan(Constraint):
    def __init__(self, lower_bound, strict=True):
        self.lower_bound, self.strict = lower_bound, strict

    def check(self, value):
        return value > self.lower_bound if self.strict else value >= self.lower_bound


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound, half_open=False):
        self.lower_bound, self.upper_bound, self.half_open = lower_bound, upper_bound, half_open

    def check(self, value):
        upper = value < self.upper_bound if self.half_open else value <= self.upper_bound
        return (value >= self.lower_bound) & upper


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound) & (value <= self.upper_bound)


class _NonNegativeInteger(Constraint):
    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & (value >= 0)


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        return ((value >= 0).all(dim=-1)) & ((value.sum(-1) - 1).abs() < 1e-6)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).flatten(-2).all(dim=-1)
        diagonal = ember.diagonal(value, dim1=-2, dim2=-1) if hasattr(ember, "diagonal") else None
        positive = (diagonal > 0).all(dim=-1) if diagonal is not None else lower
        return lower & positive


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value):
        symmetric = ((value - value.transpose(-2, -1)).abs() < 1e-6).flatten(-2).all(dim=-1)
        eigenvalues = ember.linalg.eigvalsh(value)
        return symmetric & (eigenvalues > 0).all(dim=-1)


class _IndependentConstraint(Constraint):
    def __init__(self, base, reinterpreted_batch_ndims):
        self.base, self.reinterpreted = base, reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete

    def check(self, value):
        result = self.base.check(value)
        for _ in range(self.reinterpreted):
            result = result.all(dim=-1)
        return result


real = _Real()
real_vector = _IndependentConstraint(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThan(0.0, strict=False)
unit_interval = _Interval(0.0, 1.0)
boolean = _Boolean()
nonnegative_integer = _NonNegativeInteger()
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = lambda lower_bound: _GreaterThan(lower_bound, strict=False)  # noqa: E731
interval = _Interval
half_open_interval = lambda lower, upper: _Interval(lower, upper, half_open=True)  # noqa: E731
integer_interval = _IntegerInterval
independent = _IndependentConstraint


def dependent_property(method):
    """A property whose constraint depends on the distribution's parameters (``Uniform.support``)."""
    return property(method)
