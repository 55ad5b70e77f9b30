"""Image resizing along the spatial axes of channels-last tensors (what Keras's torch backend computes).

``nearest`` picks the source pixel under each output pixel's centre (PyTorch's
``nearest-exact``); ``bilinear`` blends the two nearest source pixels with
half-pixel centres (``align_corners=False``). Each axis is resized by a
constant ``(out, in)`` interpolation matrix, so the gradient comes from
``matmul``'s.

Example:
    >>> import ember
    >>> x = ember.tensor([[[[0.0], [1.0]]]])  # (1, 1, 2, 1)
    >>> resize(x, 1, 4, "bilinear")[0, 0, :, 0].tolist()
    [0.0, 0.25, 0.75, 1.0]
    >>> resize(x, 1, 4, "nearest")[0, 0, :, 0].tolist()
    [0.0, 0.0, 1.0, 1.0]
"""
from __future__ import annotations

import math

import numpy

import ember

INTERPOLATIONS = ("nearest", "bilinear")


def interpolation_matrix(out_size: int, in_size: int, interpolation: str, antialias: bool = False) -> numpy.ndarray:
    """The ``(out_size, in_size)`` weights mapping source pixels to output pixels.

    With ``antialias``, bilinear downscaling widens the triangle filter by the scale factor, so each
    output pixel averages every input pixel it covers (PyTorch's ``interpolate(antialias=True)``, which
    Keras's torch backend calls; the weights are :func:`ember.ops.resampling.resampling_weights`, shared
    with ``F.interpolate`` and the vision transforms). ``nearest`` ignores it, as there.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Unsupported interpolation {interpolation!r}; Ember supports {INTERPOLATIONS}")
    if antialias and interpolation == "bilinear":
        from ember.ops.resampling import resampling_weights
        return numpy.asarray(resampling_weights(in_size, out_size, "bilinear", antialias=True), dtype="float32")
    scale = in_size / out_size
    weights = numpy.zeros((out_size, in_size), dtype="float32")
    for index in range(out_size):
        if interpolation == "nearest":
            weights[index, min(math.floor((index + 0.5) * scale), in_size - 1)] = 1.0
            continue
        source = max((index + 0.5) * scale - 0.5, 0.0)
        low = min(math.floor(source), in_size - 1)
        high = min(low + 1, in_size - 1)
        fraction = source - low
        weights[index, low] += 1.0 - fraction
        weights[index, high] += fraction
    return weights


def resize_axis(x, axis: int, size: int, interpolation: str, antialias: bool = False):
    """Resize one axis of ``x`` to ``size``."""
    if x.shape[axis] == size:
        return x
    matrix = ember.tensor(interpolation_matrix(size, x.shape[axis], interpolation, antialias), dtype=x.dtype)
    moved = ember.swapaxes(x, axis, -1)
    return ember.swapaxes(ember.matmul(moved, ember.t(matrix)), axis, -1)


def resize(x, height: int, width: int, interpolation: str = "bilinear", antialias: bool = False):
    """Resize ``(batch, h, w, channels)`` images to ``(batch, height, width, channels)``."""
    return resize_axis(resize_axis(x, 1, height, interpolation, antialias), 2, width, interpolation, antialias)


def repeat_axis(x, axis: int, times: int):
    """Each entry along ``axis`` repeated ``times`` times in place (nearest upsampling)."""
    if times == 1:
        return x
    expanded = ember.unsqueeze(x, axis + 1)
    shape = list(expanded.shape)
    shape[axis + 1] = times
    repeated = ember.broadcast_to(expanded, tuple(shape))
    final = list(x.shape)
    final[axis] *= times
    return ember.reshape(repeated, tuple(final))
