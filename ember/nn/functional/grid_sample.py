"""``affine_grid`` and ``grid_sample`` (spatial transformers).

``grid_sample`` is a composite, for 4-D ``(N, C, H, W)`` and 5-D ``(N, C, D, H, W)``
input: the grid is mapped to pixel coordinates (``align_corners`` and
``padding_mode`` as PyTorch), the neighbouring pixels (2**k corners for
bilinear/trilinear, 4x4 for bicubic) are gathered with ``take_along_dim`` and
blended with weights computed from the grid in Ember ops, so gradients reach
both the input and the grid.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...tensor import Tensor

_CUBIC_A = -0.75  # PyTorch's bicubic coefficient


def _base_coordinates(size: int, align_corners: bool) -> np.ndarray:
    points = np.linspace(-1.0, 1.0, size) if size > 1 else np.zeros(1)
    return points if align_corners else points * (size - 1) / size


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta`` for output ``size``: ``(N, H, W, 2)`` from
    ``(N, 2, 3)`` for a 4-D size ``(N, C, H, W)``, ``(N, D, H, W, 3)`` from ``(N, 3, 4)`` for 5-D.

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
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    n, spatial = size[0], size[2:]
    rank = len(spatial)
    if t.ndim != 3 or tuple(t.shape) != (n, rank, rank + 1):
        raise ShapeError(f"affine_grid: Expected a batch of {rank}D affine matrices of shape "
                         f"Nx{rank}x{rank + 1} for size {size}. Got {tuple(t.shape)}.")
    # one column per output axis, x (the last axis) first, then the homogeneous 1
    axes = [_base_coordinates(length, align_corners) for length in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack(list(mesh[::-1]) + [np.ones(spatial)], axis=-1).reshape(1, -1, rank + 1)
    grid = E.matmul(tensor(base, dtype=t.dtype, device=t.device), E.transpose(t, 1, 2))
    return E.reshape(grid, (n,) + spatial + (rank,))


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


def _pad(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """A pixel coordinate moved inside ``[0, size - 1]`` by ``border``/``reflection`` padding."""
    if padding_mode == "border":
        return E.clamp(coord, 0, size - 1)
    if padding_mode == "reflection":
        bounds = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return E.clamp(_reflect(coord, *bounds), 0, size - 1)
    return coord


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    return _pad(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def _gather(flat: Tensor, indices, sizes) -> Tensor:
    """``flat[n, c, i]`` at the pixel whose integer-valued coordinates (one ``(N, L)`` tensor per
    spatial axis, outermost first) are ``indices``; 0 where any is out of range."""
    inside, index, stride = None, None, 1
    for coordinate, size in zip(reversed(indices), reversed(sizes)):
        within = (coordinate >= 0) & (coordinate <= size - 1)
        inside = within if inside is None else inside & within
        term = E.clamp(coordinate, 0, size - 1) * stride
        index = term if index is None else index + term
        stride *= size
    index = E.cast(index, "int64")
    n, c = flat.shape[:2]
    picked = E.take_along_dim(flat, E.expand(E.unsqueeze(index, 1), (n, c, index.shape[-1])), dim=2)
    return picked * E.unsqueeze(E.cast(inside, flat.dtype), 1)


def _linear(flat, coords, sizes):
    """Bilinear (4-D) or trilinear (5-D): the 2**k corners around each point, weighted."""
    lows = [E.floor(c.detach()) for c in coords]
    upper_weights = [E.unsqueeze(c - low, 1) for c, low in zip(coords, lows)]
    out = None
    for corner in itertools.product((0, 1), repeat=len(coords)):
        weight = None
        for bit, upper in zip(corner, upper_weights):
            factor = upper if bit else 1 - upper
            weight = factor if weight is None else weight * factor
        value = _gather(flat, [low + bit for low, bit in zip(lows, corner)], sizes) * weight
        out = value if out is None else out + value
    return out


def _cubic_weights(t: Tensor):
    """The four cubic-convolution weights (A = -0.75, as PyTorch) of taps at -1, 0, 1, 2 from floor."""
    a = _CUBIC_A

    def near(s):  # |s| <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):  # 1 < |s| < 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(flat, raw, sizes, padding_mode, align_corners):
    """4x4 taps around each point; padding moves each integer tap (not the point), as PyTorch does,
    so the gradient to the grid flows through the cubic weights only."""
    points = [_unnormalize(c, size, align_corners) for c, size in zip(raw, sizes)]
    lows = [E.floor(p.detach()) for p in points]
    (wy, wx) = [[E.unsqueeze(w, 1) for w in _cubic_weights(p - low)] for p, low in zip(points, lows)]
    out = None
    for i, j in itertools.product(range(4), repeat=2):
        taps = [_pad(lows[0] + (i - 1), sizes[0], padding_mode, align_corners),
                _pad(lows[1] + (j - 1), sizes[1], padding_mode, align_corners)]
        value = _gather(flat, [E.floor(t) for t in taps], sizes) * (wy[i] * wx[j])
        out = value if out is None else out + value
    return out


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` ``(N, C, H, W)`` at ``grid`` ``(N, Ho, Wo, 2)`` (x, y in [-1, 1]), or
    volumetric ``input`` ``(N, C, D, H, W)`` at ``grid`` ``(N, Do, Ho, Wo, 3)`` (x, y, z).

    ``mode``: ``bilinear`` (trilinear on 5-D input), ``nearest`` or ``bicubic`` (4-D only, as
    PyTorch); ``padding_mode``: ``zeros``, ``border`` or ``reflection``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> image = ember.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> F.grid_sample(image, ember.zeros(1, 1, 1, 2), align_corners=True).tolist()
        [[[[2.5]]]]
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise EmberValueError(f"grid_sample: expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                              f"but got: {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise EmberValueError(f"grid_sample: expected padding_mode to be 'zeros', 'border', or 'reflection', "
                              f"but got: {padding_mode!r}")
    x, g = E._float(input), E._float(grid)
    spatial = x.ndim - 2
    if x.ndim not in (4, 5) or g.ndim != x.ndim or g.shape[-1] != spatial or g.shape[0] != x.shape[0]:
        raise ShapeError(f"grid_sample: expected 4-D input (N, C, H, W) with grid (N, Ho, Wo, 2), or 5-D "
                         f"input (N, C, D, H, W) with grid (N, Do, Ho, Wo, 3), with the same N; got input "
                         f"{tuple(x.shape)} and grid {tuple(g.shape)}")
    if mode == "bicubic" and spatial != 2:
        raise EmberValueError("grid_sample: bicubic interpolation only supports 4D input")
    align_corners = bool(align_corners)
    n, c = x.shape[:2]
    sizes = tuple(x.shape[2:])
    out_sizes = tuple(g.shape[1:-1])
    flat_grid = E.reshape(g, (n, math.prod(out_sizes), spatial))
    # the grid's last axis lists x (width) first: reversed, it follows the input's axes
    raw = [flat_grid[:, :, spatial - 1 - axis] for axis in range(spatial)]
    flat = E.reshape(x, (n, c, math.prod(sizes)))
    if mode == "bicubic":
        out = _bicubic(flat, raw, sizes, padding_mode, align_corners)
    else:
        coords = [_source(r, size, padding_mode, align_corners) for r, size in zip(raw, sizes)]
        if mode == "nearest":
            out = _gather(flat, [E.round(c.detach()) for c in coords], sizes)
        else:
            out = _linear(flat, coords, sizes)
    return E.reshape(out, (n, c) + out_sizes)
