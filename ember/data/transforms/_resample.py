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

import numpy

from ...errors import EmberValueError
from ...ops.resampling import resampling_weights
from ._images import cast_back, working_dtype


_FILTERS = ("bilinear", "bicubic")  # their weights: ember.ops.resampling, shared with F.interpolate


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
    rows = resampling_weights(in_height, height, mode, antialias=antialias).astype(dtype)
    columns = resampling_weights(in_width, width, mode, antialias=antialias).astype(dtype)
    result = numpy.matmul(numpy.matmul(rows, array.astype(dtype, copy=False)), columns.T)
    if mode == "bicubic" and array.dtype == numpy.uint8:
        result = numpy.clip(result, 0, 255)  # the cubic overshoots; torchvision clamps uint8 results
    return cast_back(result, array.dtype)
