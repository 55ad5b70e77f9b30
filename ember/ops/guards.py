"""``check_values``: a value check that runs in eager and compiled code alike (see ``ember.primitives.guards``)."""
from __future__ import annotations

import numpy

from ..errors import EmberZeroDivisionError
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


def check_integer_divisor(op: str, input, other) -> None:
    """Integer division by zero raises, as in PyTorch (NumPy would return 0 and warn).

    A tensor divisor is checked by the ``check_values`` guard, so compiled code
    checks it on every call too; a zero Python int raises at once.

    Example:
        >>> import ember
        >>> from ember.ops.guards import check_integer_divisor
        >>> check_integer_divisor("remainder", ember.tensor([3]), ember.tensor([2]))
        >>> check_integer_divisor("remainder", ember.tensor([3]), 0)
        Traceback (most recent call last):
        ...
        ember.errors.EmberZeroDivisionError: ZeroDivisionError: remainder of an integer tensor of shape (1,) by the integer 0
    """
    if _is_float(input) or _is_float(other):
        return  # float division by zero is inf or nan, as in PyTorch
    if isinstance(other, Tensor):
        if other._data.dtype.kind in "iu" and (isinstance(input, (Tensor, int))):
            check_values(other, "nonzero", op)
    elif isinstance(other, (int, numpy.integer)) and not isinstance(other, bool) and other == 0 \
            and isinstance(input, Tensor):
        raise EmberZeroDivisionError(f"ZeroDivisionError: {op} of an integer tensor of shape "
                                     f"{input.shape} by the integer 0")


def _is_float(value) -> bool:
    return isinstance(value, float) or isinstance(value, Tensor) and value._data.dtype.kind in "fc"
