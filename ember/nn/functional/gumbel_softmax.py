"""``gumbel_softmax`` (a differentiable sample from a categorical distribution) and the deprecated
``upsample_nearest``/``upsample_bilinear`` spellings of :func:`interpolate`."""
from __future__ import annotations

from ...ops import functions as E
from ...ops.random import rand
from ...tensor import Tensor
from .interpolate import interpolate


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1, *,
                   generator=None) -> Tensor:
    """``softmax((logits + g) / tau)`` with Gumbel noise ``g``; ``hard=True`` returns the one-hot of the
    sample's argmax whose gradient is the soft sample's (straight-through).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> y = F.gumbel_softmax(ember.zeros(2, 5), hard=True)
        >>> y.sum(-1).tolist()
        [1.0, 1.0]
    """
    x = E._float(logits)
    uniform = rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    gumbels = -E.log(-E.log(uniform.clamp(min=eps, max=1 - eps)))
    soft = E.softmax((x + gumbels) / tau, dim)
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = E.zeros_like(soft).scatter(dim, index, 1.0)
    return one_hot - soft.detach() + soft


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
