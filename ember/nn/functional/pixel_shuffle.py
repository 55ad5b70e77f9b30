"""``pixel_shuffle`` and ``pixel_unshuffle``: trade channels for spatial resolution by reshaping."""
from __future__ import annotations

from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C*r*r, H, W)`` to ``(*, C, H*r, W*r)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.pixel_shuffle(ember.arange(8.0).reshape(1, 8, 1, 1), 2).shape
        (1, 2, 2, 2)
    """
    x, r = E._tensor(input), int(upscale_factor)
    if x.ndim < 3 or r <= 0 or x.shape[-3] % (r * r):
        raise ShapeError(f"pixel_shuffle: expected input of shape (*, C*{r}*{r}, H, W) with at least 3 "
                         f"dimensions and a positive upscale_factor, got {x.shape}")
    *batch, channels, height, width = x.shape
    c = channels // (r * r)
    lead = len(batch)
    x = E.reshape(x, (*batch, c, r, r, height, width))
    order = (*range(lead), lead, lead + 3, lead + 1, lead + 4, lead + 2)
    return E.reshape(E.permute(x, order), (*batch, c, height * r, width * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H*r, W*r)`` to ``(*, C*r*r, H, W)``; the inverse of :func:`pixel_shuffle`.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.pixel_unshuffle(ember.ones(1, 2, 4, 6), 2).shape
        (1, 8, 2, 3)
    """
    x, r = E._tensor(input), int(downscale_factor)
    if x.ndim < 3 or r <= 0 or x.shape[-2] % r or x.shape[-1] % r:
        raise ShapeError(f"pixel_unshuffle: expected input of shape (*, C, H*{r}, W*{r}) with at least 3 "
                         f"dimensions and a positive downscale_factor, got {x.shape}")
    *batch, c, height, width = x.shape
    lead = len(batch)
    x = E.reshape(x, (*batch, c, height // r, r, width // r, r))
    order = (*range(lead), lead, lead + 2, lead + 4, lead + 1, lead + 3)
    return E.reshape(E.permute(x, order), (*batch, c * r * r, height // r, width // r))
