"""Weight regularizers: penalties added to the training loss (``kernel_regularizer='l2'``).

Example:
    >>> import ember
    >>> from ember.keras import regularizers
    >>> regularizers.L2(0.5)(ember.tensor([1.0, 2.0]))
    tensor(2.5000)
    >>> regularizers.get("l1").l1
    0.01
    >>> regularizers.l1_l2(l1=0.1, l2=0.2).get_config()
    {'l1': 0.1, 'l2': 0.2}
"""
from __future__ import annotations

import ember


class Regularizer:
    """Base class: ``regularizer(weight)`` is a scalar tensor to add to the loss."""

    def __call__(self, x):
        return ember.zeros(())

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x²)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty = penalty + self.l1 * ember.abs(x).sum()
        if self.l2:
            penalty = penalty + self.l2 * (x * x).sum()
        return penalty if isinstance(penalty, ember.Tensor) else ember.zeros(())

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2  # Keras's lower-case names for the same classes
_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "Regularizer": Regularizer}
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    """A regularizer from a name (``'l1' 'l2' 'l1_l2'``), a config dict, an instance or a callable."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _ALIASES:
        return _ALIASES[identifier]()
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config", {}))
    raise ValueError(f"Unknown regularizer: {identifier!r}. Known: {sorted(_ALIASES)}")


def serialize(regularizer) -> dict | None:
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
