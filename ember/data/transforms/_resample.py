"""Resizing kernels on ``... x C x H x W`` NumPy arrays.

Bilinear and bicubic use the separable resampling that PIL introduced and
PyTorch's ``interpolate(..., antialias=True)`` implements (the tensor path
of torchvision's ``Resize``): each output pixel is a normalised weighted sum
of the input pixels under a filter stretched by the scale factor when
shrinking, so downscaling averages instead of skipping pixels. When growing,
the same weights are exactly ``align_corners=False`` bilinear interpolation.
Nearest follows ``interpolate(mode="nearest")``: source index
``floor(i * in / out)`` computed in float32, as PyTorch does.
"""
from __future__ import annotations

import functools

import numpy

from ...errors import EmberValueError
from ._images import cast_back, working_dtype


def _triangle(x: numpy.ndarray) -> numpy.ndarray:
    return numpy.clip(1.0 - numpy.abs(x), 0.0, None)


def _cubic(x: numpy.ndarray, a: float = -0.5) -> numpy.ndarray:
    """Keys' cubic with a = -0.5, the antialiasing kernel of PIL and PyTorch."""
    x = numpy.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return numpy.where(x < 1, near, numpy.where(x < 2, far, 0.0))


_FILTERS = {"bilinear": (_triangle, 1.0), "bicubic": (_cubic, 2.0)}


@functools.lru_cache(maxsize=64)  # a pipeline resizes image after image between the same sizes
def filter_weights(in_size: int, out_size: int, mode: str, antialias: bool = True) -> numpy.ndarray:
    """The ``out_size x in_size`` matrix taking one axis from ``in_size`` to ``out_size`` samples (read-only)."""
    kernel, radius = _FILTERS[mode]
    scale = in_size / out_size
    stretch = max(scale, 1.0) if antialias else 1.0
    support = radius * stretch
    centers = scale * (numpy.arange(out_size) + 0.5)
    starts = numpy.maximum((centers - support + 0.5).astype(numpy.int64), 0)  # int(): truncation, as in C
    stops = numpy.minimum((centers + support + 0.5).astype(numpy.int64), in_size)
    inputs = numpy.arange(in_size)
    weights = kernel((inputs[None, :] - centers[:, None] + 0.5) / stretch)
    weights *= (inputs[None, :] >= starts[:, None]) & (inputs[None, :] < stops[:, None])
    totals = weights.sum(axis=1, keepdims=True)
    weights = weights / numpy.where(totals == 0, 1.0, totals)
    weights.flags.writeable = False  # shared through the cache
    return weights


def nearest_indices(in_size: int, out_size: int, exact: bool = False) -> numpy.ndarray:
    scale = numpy.float32(in_size) / numpy.float32(out_size)
    offset = numpy.float32(0.5) if exact else numpy.float32(0.0)
    positions = (numpy.arange(out_size, dtype=numpy.float32) + offset) * scale
    return numpy.minimum(numpy.floor(positions).astype(numpy.int64), in_size - 1)


def resize(array: numpy.ndarray, height: int, width: int, mode: str, antialias: bool = True) -> numpy.ndarray:
    in_height, in_width = array.shape[-2:]
    if mode in ("nearest", "nearest-exact"):
        rows = nearest_indices(in_height, height, mode == "nearest-exact")
        columns = nearest_indices(in_width, width, mode == "nearest-exact")
        return array[..., rows[:, None], columns[None, :]]
    if mode not in _FILTERS:
        raise EmberValueError(f"resize: interpolation {mode!r} is not supported; use nearest, nearest-exact, "
                              "bilinear or bicubic")
    dtype = working_dtype(array.dtype)
    rows = filter_weights(in_height, height, mode, antialias).astype(dtype)
    columns = filter_weights(in_width, width, mode, antialias).astype(dtype)
    result = numpy.matmul(numpy.matmul(rows, array.astype(dtype, copy=False)), columns.T)
    if mode == "bicubic" and array.dtype == numpy.uint8:
        result = numpy.clip(result, 0, 255)  # the cubic overshoots; torchvision clamps uint8 results
    return cast_back(result, array.dtype)
