"""Dropout: zero random elements (or whole channels) while training, scaling the rest by 1/(1-p)."""
from __future__ import annotations

import warnings

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


def _feature_dropout(name: str, input, p: float, training: bool, channels: int, generator) -> Tensor:
    """Drop whole channels: one mask value per entry of the first ``channels`` dimensions.

    The mask is broadcast over the remaining dimensions, as PyTorch's
    ``feature_dropout``.
    """
    if not 0.0 <= p <= 1.0:
        raise EmberValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")
    x = E._tensor(input)
    if not training or p == 0.0:
        return x
    mask_shape = x.shape[:channels] + (1,) * (x.ndim - channels)
    if p == 1.0:
        return x * 0.0
    keep = rand(mask_shape, generator=generator, dtype=x.dtype, device=x.device) >= p
    return x * (E.cast(keep, x.dtype) * (1.0 / (1.0 - p)))


def _warn_rank(name: str, ndim: int, expected: tuple[int, int]) -> None:
    """PyTorch accepts other ranks for dropout2d/3d with a deprecation warning; so does Ember."""
    if ndim not in expected:
        warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will "
                      f"result in an error in a future release. To retain the behavior and silence "
                      f"this warning, please use dropout instead ({name} expects {expected[0]}D or "
                      f"{expected[1]}D input).", UserWarning, stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` input.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout1d(ember.ones(2, 3, 4), 0.5).shape
        (2, 3, 4)
    """
    x = E._tensor(input)
    if x.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input of "
                         f"shape {x.shape}")
    return _feature_dropout("dropout1d", x, p, training, 2 if x.ndim == 3 else 1, generator)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` input.

    Like PyTorch, a 3-D input is read as ``(N, C, L)`` (channel-wise 1-D dropout,
    with a warning), and any other rank is accepted with a deprecation warning and
    masks its first two dimensions (a 2-D ``(N, C)`` input drops single elements).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout2d(ember.ones(2, 3, 4, 4), 0.5).shape
        (2, 3, 4, 4)
    """
    x = E._tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"dropout2d: feature dropout requires at least 2 dimensions in the input, "
                         f"got shape {x.shape}")
    _warn_rank("dropout2d", x.ndim, (3, 4))
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                      "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
                      "is the channel dim. To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", UserWarning, stacklevel=2)
    return _feature_dropout("dropout2d", x, p, training, 2, generator)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator=None) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    Other ranks are accepted with PyTorch's deprecation warning and read as unbatched.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.dropout3d(ember.ones(2, 3, 2, 2, 2), 0.5).shape
        (2, 3, 2, 2, 2)
    """
    x = E._tensor(input)
    _warn_rank("dropout3d", x.ndim, (4, 5))
    return _feature_dropout("dropout3d", x, p, training, 2 if x.ndim == 5 else 1, generator)
