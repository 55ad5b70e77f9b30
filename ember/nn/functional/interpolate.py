"""``interpolate`` (``upsample``): resize the spatial dimensions of ``(N, C, *spatial)`` input.

Each spatial axis is resampled on its own (all of PyTorch's modes except
``area`` are separable): source indices and weights come from NumPy on the
static shapes, and the data moves by ``index_select`` and a weighted sum, so
the gradient is the composite's (``index_select``'s scatter-add adjoint).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...ops.resampling import resampling_weights
from ...tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

_LINEAR_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) bicubic coefficient


def _output_sizes(x: Tensor, size, scale_factor, recompute_scale_factor):
    """Output sizes and, per axis, the scale used to map output to input coordinates (None: in/out)."""
    spatial = x.shape[2:]
    rank = len(spatial)
    if (size is None) == (scale_factor is None):
        raise EmberValueError("interpolate: either size or scale_factor should be defined, not both")
    if size is not None:
        sizes = list(size) if isinstance(size, Sequence) else [size] * rank
        if len(sizes) != rank:
            raise ShapeError(f"interpolate: Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {list(spatial)} and "
                             f"output size of {sizes}")
        return [int(s) for s in sizes], [None] * rank
    factors = list(scale_factor) if isinstance(scale_factor, Sequence) else [scale_factor] * rank
    if len(factors) != rank:
        raise ShapeError(f"interpolate: Input and scale_factor must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of {list(spatial)} and "
                         f"scale_factor of shape {factors}")
    sizes = [int(math.floor(float(n) * float(f))) for n, f in zip(spatial, factors)]
    if recompute_scale_factor:
        return sizes, [None] * rank
    return sizes, [1.0 / float(f) for f in factors]


def _source(out_size: int, in_size: int, scale, align_corners: bool, cubic: bool) -> np.ndarray:
    """The fractional source coordinate of each output index (PyTorch's area_pixel rule)."""
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        ratio = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return dst * ratio
    ratio = scale if scale is not None else in_size / out_size
    src = (dst + 0.5) * ratio - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _axis_taps(mode: str, out_size: int, in_size: int, scale, align_corners: bool):
    """``[(indices, weights or None), ...]`` whose weighted sum resamples one axis."""
    if mode in ("nearest", "nearest-exact"):
        ratio = scale if scale is not None else in_size / out_size
        dst = np.arange(out_size, dtype=np.float64) + (0.5 if mode == "nearest-exact" else 0.0)
        # float32 products, as PyTorch computes the nearest source index in float
        index = np.floor((dst.astype(np.float32) * np.float32(ratio))).astype(np.int64)
        return [(np.minimum(index, in_size - 1), None)]
    src = _source(out_size, in_size, scale, align_corners, cubic=mode == "bicubic")
    base = np.floor(src)
    t = src - base
    base = base.astype(np.int64)
    if mode != "bicubic":
        upper = np.minimum(base + 1, in_size - 1)
        return [(np.minimum(base, in_size - 1), 1.0 - t), (upper, t)]
    a = _CUBIC_A
    near = lambda s: ((a + 2) * s - (a + 3)) * s * s + 1  # noqa: E731  |s| <= 1
    far = lambda s: ((a * s - 5 * a) * s + 8 * a) * s - 4 * a  # noqa: E731  1 < |s| < 2
    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    return [(np.clip(base + k - 1, 0, in_size - 1), w) for k, w in zip(range(4), weights)]


def _antialias_matrix(mode: str, out_size: int, in_size: int, scale, align_corners: bool) -> np.ndarray:
    """``(out_size, in_size)`` weights of PyTorch's antialiased resampling (see ember.ops.resampling),
    with the input step per output sample that ``align_corners`` or ``scale_factor`` gives."""
    if align_corners:
        ratio = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    else:
        ratio = scale if scale is not None else in_size / out_size
    return resampling_weights(in_size, out_size, mode, float(ratio))


def _apply_matrix(x: Tensor, axis: int, weights: np.ndarray) -> Tensor:
    """``x`` resampled along ``axis`` by ``weights`` ``(out, in)``: one matmul over that axis."""
    moved = E.movedim(x, axis, -1)
    out = E.matmul(moved, tensor(weights.T, dtype=x.dtype, device=x.device))
    return E.movedim(out, -1, axis)


def _resample_axis(x: Tensor, axis: int, taps) -> Tensor:
    result = None
    shape = [1] * x.ndim
    shape[axis] = -1
    for index, weight in taps:
        picked = E.index_select(x, axis, tensor(index, device=x.device))
        if weight is not None:
            picked = picked * tensor(weight.reshape(shape), dtype=x.dtype, device=x.device)
        result = picked if result is None else result + picked
    return result


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize ``(N, C, *spatial)`` input to ``size`` or by ``scale_factor``, as PyTorch's ``interpolate``.

    Modes: ``nearest``, ``nearest-exact``, ``linear`` (3-D input), ``bilinear``
    and ``bicubic`` (4-D), ``trilinear`` (5-D), ``area`` (adaptive average
    pooling). ``align_corners`` maps corner pixel centres onto each other. ``antialias=True``
    (bilinear and bicubic, 4-D) widens the filter when shrinking, as PyTorch (and PIL) do.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> x = ember.tensor([[[1.0, 3.0]]])
        >>> F.interpolate(x, scale_factor=2, mode="linear").tolist()
        [[[1.0, 1.5, 2.5, 3.0]]]
        >>> F.interpolate(x, size=3, mode="linear", align_corners=True).tolist()
        [[[1.0, 2.0, 3.0]]]
    """
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; expected one of {_MODES}")
    x = E._tensor(input)
    if antialias and (mode not in ("bilinear", "bicubic") or x.ndim != 4):
        raise NotImplementedError("interpolate: anti-alias option is restricted to bilinear and bicubic "
                                  f"modes and requires a 4-D tensor as input, got mode {mode!r} and "
                                  f"shape {x.shape}")
    if x.ndim < 3 or x.ndim > 5:
        raise NotImplementedError(f"interpolate: input must be 3-D, 4-D or 5-D (N, C, *spatial), got "
                                  f"shape {x.shape}")
    if mode in _LINEAR_RANK:
        if x.ndim != _LINEAR_RANK[mode]:
            raise NotImplementedError(f"interpolate: got {x.ndim}D input, but {mode} mode needs "
                                      f"{_LINEAR_RANK[mode]}D input")
    elif align_corners is not None:
        raise EmberValueError("align_corners option can only be set with the interpolating modes: "
                              "linear | bilinear | bicubic | trilinear")
    sizes, scales = _output_sizes(x, size, scale_factor, recompute_scale_factor)
    if any(s <= 0 for s in sizes):
        raise EmberValueError(f"interpolate: output sizes must be positive, got {sizes} for input {x.shape}")
    if mode == "area":
        pool = {3: adaptive_avg_pool1d, 4: adaptive_avg_pool2d, 5: adaptive_avg_pool3d}[x.ndim]
        return pool(x, sizes if len(sizes) > 1 else sizes[0])
    x = E._float(x) if mode != "nearest" and mode != "nearest-exact" else x
    for offset, (out_size, scale) in enumerate(zip(sizes, scales)):
        axis = 2 + offset
        if antialias:
            x = _apply_matrix(x, axis, _antialias_matrix(mode, out_size, x.shape[axis], scale,
                                                         bool(align_corners)))
            continue
        taps = _axis_taps(mode, out_size, x.shape[axis], scale, bool(align_corners))
        x = _resample_axis(x, axis, taps)
    return x


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> Tensor:
    """The deprecated spelling of :func:`interpolate` (same arguments and results).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.upsample(ember.ones(1, 1, 2), scale_factor=2).shape
        (1, 1, 4)
    """
    return interpolate(input, size, scale_factor, mode, align_corners)
