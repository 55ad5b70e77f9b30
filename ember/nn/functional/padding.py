"""``pad``: PyTorch's ``F.pad`` signature over :func:`ember.pad`."""
from __future__ import annotations

from ...ops import functions as E
from ...errors import EmberValueError
from ...tensor import Tensor


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dimensions: ``pad=(left, right, top, bottom, ...)`` (negative values crop).

    ``mode``: ``'constant'`` (filled with ``value``), ``'reflect'``,
    ``'replicate'`` or ``'circular'``, as in PyTorch.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.pad(ember.ones(1, 2), (1, 0), value=5.0)
        tensor([[5., 1., 1.]])
    """
    if value is not None and mode != "constant":
        raise EmberValueError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    return E.pad(input, pad, mode, 0.0 if value is None else value)
