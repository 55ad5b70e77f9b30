"""``check_values``: a value check that runs in eager and compiled code alike (see ``ember.primitives.guards``)."""
from __future__ import annotations

from ..primitives.core import bind
from ..primitives.guards import CheckValues
from ..tensor import Tensor


def check_values(values: Tensor, rule: str, op: str, limit: int | None = None) -> None:
    """Raise ``rule``'s error, naming ``op``, if ``values`` break it (``rule``: see ``RULES``).

    Eager code checks at once; under ``ember.function`` the check becomes a
    graph node that runs on every call.

    Example:
        >>> import ember
        >>> from ember.ops.guards import check_values
        >>> check_values(ember.tensor([0, 2]), "class", "nll_loss", 3)
        >>> check_values(ember.tensor([0, 3]), "class", "nll_loss", 3)
        Traceback (most recent call last):
        ...
        ember.errors.EmberIndexError: nll_loss: Target 3 is out of bounds (input has 3 classes).
    """
    bind(CheckValues, (values,), (rule, op, limit))
