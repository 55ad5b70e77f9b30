"""Randomised functions: dropout for self-normalising networks (``alpha_dropout``,
``feature_alpha_dropout``) and the randomised leaky ReLU (``rrelu``): PyTorch's formulas,
with Ember generators for reproducible masks."""
from __future__ import annotations

import math

from ...errors import EmberValueError
from ...ops import functions as E
from ...ops.random import rand
from ...tensor import Tensor

_SELU_NEGATIVE = 1.7580993408473766  # -SELU's saturation value: the value a dropped unit takes (negated)


def _alpha_dropout(name: str, input, p: float, training: bool, mask_shape, generator) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise EmberValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")
    x = E._float(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = E.cast(rand(mask_shape(x), generator=generator, dtype=x.dtype, device=x.device) >= p, x.dtype)
    scale = 1.0 / math.sqrt((_SELU_NEGATIVE ** 2 * p + 1) * (1 - p))
    # kept units are scaled, dropped ones set to the saturation value, then the affine map that
    # keeps mean 0 and variance 1: a * (x * keep + alpha' * (keep - 1)) + alpha' * a * p
    shift = (keep - 1) * (_SELU_NEGATIVE * scale) + _SELU_NEGATIVE * scale * p
    return x * (keep * scale) + shift


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                  generator=None) -> Tensor:
    """Dropout that keeps SELU activations' mean and variance: dropped units take SELU's
    negative saturation value, then an affine map restores the statistics (identity unless training).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> x = ember.zeros(4)
        >>> F.alpha_dropout(x, 0.5) is x
        True
        >>> y = F.alpha_dropout(ember.zeros(2000), 0.5, training=True, generator=ember.Generator().manual_seed(0))
        >>> len(set(y.tolist()))
        2
    """
    return _alpha_dropout("alpha_dropout", input, p, training, lambda x: x.shape, generator)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                          generator=None) -> Tensor:
    """:func:`alpha_dropout` of whole channels (one draw per sample and channel).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> y = F.feature_alpha_dropout(ember.zeros(8, 4, 3), 0.5, training=True)
        >>> bool((y == y[:, :, :1]).all())
        True
    """
    return _alpha_dropout("feature_alpha_dropout", input, p, training,
                          lambda x: x.shape[:2] + (1,) * (x.ndim - 2), generator)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False, *, generator=None) -> Tensor:
    """Leaky ReLU whose negative slope is drawn from U(lower, upper) per element while training,
    and is ``(lower + upper) / 2`` otherwise.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.rrelu(ember.tensor([-2.0, 3.0]), 0.25, 0.75).tolist()
        [-1.0, 3.0]
    """
    x = E._float(input)
    if not training:
        slope = (lower + upper) / 2
        return E.where(x > 0, x, x * slope)
    slopes = rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) * (upper - lower) + lower
    return E.where(x > 0, x, x * slopes)
