"""Blurring kernels on ``... x C x H x W`` NumPy arrays.

torchvision blurs a tensor by reflect-padding ``kernel // 2`` on each side
and convolving with the outer product of two normalised 1-D Gaussians;
the product is separable, so two 1-D passes give the same numbers up to
float rounding. Integer images go through float32 and come back rounded.
"""
from __future__ import annotations

import numpy

from ._images import cast_back, working_dtype


def gaussian_kernel(size: int, sigma: float, dtype) -> numpy.ndarray:
    half = (size - 1) * 0.5
    offsets = numpy.linspace(-half, half, size, dtype=dtype)
    weights = numpy.exp(-0.5 * (offsets / dtype.type(sigma)) ** 2)
    return weights / weights.sum()


def gaussian_blur(array: numpy.ndarray, sizes: list[int], sigmas: list[float]) -> numpy.ndarray:
    """``sizes`` and ``sigmas`` are (x, y), torchvision's order."""
    dtype = working_dtype(array.dtype)
    (width_size, height_size), (width_sigma, height_sigma) = sizes, sigmas
    padding = [(0, 0)] * (array.ndim - 2) + [(height_size // 2,) * 2, (width_size // 2,) * 2]
    padded = numpy.pad(array.astype(dtype, copy=False), padding, mode="reflect")
    rows = numpy.lib.stride_tricks.sliding_window_view(padded, height_size, axis=-2)
    blurred = rows @ gaussian_kernel(height_size, height_sigma, dtype)  # ... x H x (W + pad)
    columns = numpy.lib.stride_tricks.sliding_window_view(blurred, width_size, axis=-1)
    return cast_back(columns @ gaussian_kernel(width_size, width_sigma, dtype), array.dtype)
