"""Dropout: zero random elements (or whole channels) while training, scaling the rest by 1/(1-p)."""
from __future__ import annotations

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.random import rand
from ...tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator=None) -> Tensor:
    """Zero each element with probability ``p`` when ``training``; identity otherwise.

    ``generator`` (Ember's addition) makes the mask reproducible; ``inplace``
    is accepted and computed out of place.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> x = ember.ones(1000)
        >>> y = F.dropout(x, 0.5, generator=ember.Generator().manual_seed(0))
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
        >>> F.dropout(x, 0.5, training=False) is x
        True
    """
    return E.dropout(input, p, training, generator=generator)


def _feature_dropout(name: str, input, p: float, training: bool, batched_ndim: int, generator,
                     channels: int | None = None):
    """Drop whole channels: one mask value per (sample, channel), broadcast over the rest.

    ``channels`` is how many leading dimensions get their own mask values
    (by default 2 for batched input, 1 for unbatched).
    """
    if not 0.0 <= p <= 1.0:
        raise EmberValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")
    x = E._tensor(input)
    if x.ndim not in (batched_ndim, batched_ndim - 1):
        raise ShapeError(f"{name}: expected {batched_ndim - 1}D or {batched_ndim}D input, got "
                         f"input of shape {x.shape}")
    if not training or p == 0.0:
        return x
    if channels is None:
        channels = 2 if x.ndim == batched_ndim else 1
    mask_shape = x.shape[:channels] + (1,) * (x.ndim - channels)
    if p == 1.0:
        return x * 0.0
    keep = rand(mask_shape, generator=generator, dtype=x.dtype, device=x.device) >= p
    return x * (E.cast(keep, x.dtype) * (1.0 / (1.0 - p)))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` input.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout1d(ember.ones(2, 3, 4), 0.5).shape
        (2, 3, 4)
    """
    return _feature_dropout("dropout1d", input, p, training, 3, generator)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` input.

    Like PyTorch, a 3-D input is read as ``(N, C, L)`` (channel-wise 1-D dropout).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout2d(ember.ones(2, 3, 4, 4), 0.5).shape
        (2, 3, 4, 4)
    """
    return _feature_dropout("dropout2d", input, p, training, 4, generator, channels=2)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout3d(ember.ones(2, 3, 2, 2, 2), 0.5).shape
        (2, 3, 2, 2, 2)
    """
    return _feature_dropout("dropout3d", input, p, training, 5, generator)
