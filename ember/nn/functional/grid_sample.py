"""``affine_grid`` and ``grid_sample`` for 4-D ``(N, C, H, W)`` input (spatial transformers).

``grid_sample`` is a composite: the grid is mapped to pixel coordinates
(``align_corners`` and ``padding_mode`` as PyTorch), the corner pixels are
gathered with ``take_along_dim`` and blended with weights computed from the
grid in Ember ops, so gradients reach both the input and the grid.
"""
from __future__ import annotations

import numpy as np

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...tensor import Tensor


def _base_coordinates(size: int, align_corners: bool) -> np.ndarray:
    points = np.linspace(-1.0, 1.0, size) if size > 1 else np.zeros(1)
    return points if align_corners else points * (size - 1) / size


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid ``(N, H, W, 2)`` of the affine maps ``theta`` ``(N, 2, 3)`` for output ``size``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> identity = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> F.affine_grid(identity, (1, 1, 2, 2), align_corners=True).tolist()
        [[[[-1.0, -1.0], [1.0, -1.0]], [[-1.0, 1.0], [1.0, 1.0]]]]
    """
    align_corners = bool(align_corners)
    t = E._float(theta)
    size = tuple(int(s) for s in size)
    if len(size) != 4:
        raise NotImplementedError(f"affine_grid: only 4-D sizes (N, C, H, W) are supported by Ember, got {size}")
    n, _, h, w = size
    if t.ndim != 3 or tuple(t.shape) != (n, 2, 3):
        raise ShapeError(f"affine_grid: Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{size}. Got {tuple(t.shape)}.")
    xs, ys = _base_coordinates(w, align_corners), _base_coordinates(h, align_corners)
    base = np.stack([np.broadcast_to(xs[None, :], (h, w)), np.broadcast_to(ys[:, None], (h, w)),
                     np.ones((h, w))], axis=-1).reshape(1, h * w, 3)
    grid = E.matmul(tensor(base, dtype=t.dtype, device=t.device), E.transpose(t, 1, 2))
    return E.reshape(grid, (n, h, w, 2))


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    distance = E.abs(coord - low)
    extra = E.fmod(distance, span)
    flips = E.floor(distance / span)
    even = E.remainder(flips, 2) == 0
    return E.where(even, extra + low, span - extra + low)


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        return E.clamp(coord, 0, size - 1)
    if padding_mode == "reflection":
        bounds = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return E.clamp(_reflect(coord, *bounds), 0, size - 1)
    return coord


def _gather(flat: Tensor, ix: Tensor, iy: Tensor, width: int, height: int) -> Tensor:
    """``flat[n, c, iy*W + ix]`` for integer-valued ``ix``/``iy`` ``(N, L)``; 0 where out of range."""
    inside = (ix >= 0) & (ix <= width - 1) & (iy >= 0) & (iy <= height - 1)
    index = E.cast(E.clamp(iy, 0, height - 1) * width + E.clamp(ix, 0, width - 1), "int64")
    n, c = flat.shape[:2]
    picked = E.take_along_dim(flat, E.expand(E.unsqueeze(index, 1), (n, c, index.shape[-1])), dim=2)
    return picked * E.unsqueeze(E.cast(inside, flat.dtype), 1)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` ``(N, C, H, W)`` at ``grid`` ``(N, Ho, Wo, 2)`` (x, y in [-1, 1]).

    ``mode``: ``bilinear`` or ``nearest``; ``padding_mode``: ``zeros``,
    ``border`` or ``reflection``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> image = ember.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> F.grid_sample(image, ember.zeros(1, 1, 1, 2), align_corners=True).tolist()
        [[[[2.5]]]]
    """
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode {mode!r} is not supported by Ember (bilinear, nearest)")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise EmberValueError(f"grid_sample: expected padding_mode to be 'zeros', 'border', or 'reflection', "
                              f"but got: {padding_mode!r}")
    x, g = E._float(input), E._float(grid)
    if x.ndim != 4 or g.ndim != 4 or g.shape[-1] != 2 or g.shape[0] != x.shape[0]:
        raise ShapeError(f"grid_sample: expected 4-D input (N, C, H, W) and grid (N, Ho, Wo, 2) with the "
                         f"same N, got input {tuple(x.shape)} and grid {tuple(g.shape)}")
    align_corners = bool(align_corners)
    n, c, height, width = x.shape
    out_h, out_w = g.shape[1:3]
    flat_grid = E.reshape(g, (n, out_h * out_w, 2))
    gx = _source(flat_grid[:, :, 0], width, padding_mode, align_corners)
    gy = _source(flat_grid[:, :, 1], height, padding_mode, align_corners)
    flat = E.reshape(x, (n, c, height * width))
    if mode == "nearest":
        out = _gather(flat, E.round(gx.detach()), E.round(gy.detach()), width, height)
    else:
        x0, y0 = E.floor(gx.detach()), E.floor(gy.detach())
        wx1, wy1 = E.unsqueeze(gx - x0, 1), E.unsqueeze(gy - y0, 1)
        wx0, wy0 = 1 - wx1, 1 - wy1
        out = (_gather(flat, x0, y0, width, height) * (wx0 * wy0)
               + _gather(flat, x0 + 1, y0, width, height) * (wx1 * wy0)
               + _gather(flat, x0, y0 + 1, width, height) * (wx0 * wy1)
               + _gather(flat, x0 + 1, y0 + 1, width, height) * (wx1 * wy1))
    return E.reshape(out, (n, c, out_h, out_w))
