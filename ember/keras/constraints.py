"""Weight constraints (``kernel_constraint=MaxNorm(2)``): projections applied after each update.

A constraint maps a weight to its projection (``NonNeg`` zeroes negative
entries, ``MaxNorm`` rescales columns whose norm is too large). The optimizer
applies it to the weight after every step, as Keras does; a layer registers
the constraint of each weight it creates with :func:`attach`.

Example:
    >>> import ember
    >>> from ember.keras import constraints
    >>> constraints.NonNeg()(ember.tensor([-1.0, 2.0])).tolist()  # -0.0, as Keras's w * (w >= 0)
    [-0.0, 2.0]
    >>> w = ember.tensor([[3.0], [4.0]])  # one column of norm 5
    >>> constraints.MaxNorm(1.0)(w).detach().numpy().round(4).tolist()
    [[0.6], [0.8]]
    >>> constraints.get("unit_norm").axis
    0
"""
from __future__ import annotations

import weakref

import ember

from . import backend


class Constraint:
    """Base class: ``constraint(weight)`` returns the projected weight."""

    def __call__(self, weight):
        return weight

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


def _norms(weight, axis):
    return ember.sqrt(ember.sum(weight * weight, axis, keepdim=True))


class MaxNorm(Constraint):
    """Rescale slices (along ``axis``) whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value: float = 2.0, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, weight):
        norms = _norms(weight, self.axis)
        desired = ember.clamp(norms, 0.0, self.max_value)
        return weight * (desired / (norms + backend.epsilon()))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zero the negative entries."""

    def __call__(self, weight):
        return weight * ember.cast(weight >= 0.0, weight.dtype)


class UnitNorm(Constraint):
    """Scale slices (along ``axis``) to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, weight):
        return weight / (_norms(weight, self.axis) + backend.epsilon())

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move slice norms into ``[min_value, max_value]``, by the fraction ``rate`` per step."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, weight):
        norms = _norms(weight, self.axis)
        desired = self.rate * ember.clamp(norms, self.min_value, self.max_value) + (1.0 - self.rate) * norms
        return weight * (desired / (norms + backend.epsilon()))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_CLASSES = {cls.__name__: cls for cls in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_ALIASES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """A constraint from None, a name (``'non_neg'``, ``'NonNeg'``), a config dict or a callable."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or _CLASSES.get(identifier)
        if cls is not None:
            return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return deserialize(identifier)
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}. Known: "
                     f"{sorted(_ALIASES)}, or pass a callable")


def serialize(constraint) -> dict | None:
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config: dict) -> Constraint:
    return _CLASSES[config["class_name"]].from_config(config.get("config", {}))


# Parameters cannot carry attributes (their class has __slots__), so the constraint of each
# weight is kept here, by identity: id → (weak reference, constraint).
_ATTACHED: dict[int, tuple] = {}


def attach(weight, constraint) -> None:
    """Record ``constraint`` as ``weight``'s (what the optimizer applies after each update)."""
    key = id(weight)
    _ATTACHED[key] = (weakref.ref(weight, lambda _ref: _ATTACHED.pop(key, None)), constraint)


def constraint_of(weight):
    """The constraint attached to ``weight``, or None."""
    entry = _ATTACHED.get(id(weight))
    return entry[1] if entry is not None and entry[0]() is weight else None


def apply_constraints(variables) -> None:
    """Project each variable that has a constraint, in place (inside ``no_grad``)."""
    for variable in variables:
        constraint = constraint_of(variable)
        if constraint is not None:
            variable.copy_(constraint(variable))
