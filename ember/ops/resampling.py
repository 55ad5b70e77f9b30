"""The antialiased resampling weights shared by ``F.interpolate(..., antialias=True)``, the
image transforms' ``resize`` (ember.data.transforms) and Keras's ``Resizing(antialias=True)``.

PIL introduced the scheme and PyTorch implements it: each output sample is a normalised weighted
sum of the input samples under a filter (a triangle for bilinear, Keys' cubic with a = -0.5 for
bicubic) that is stretched by the scale factor when shrinking, so downscaling averages every
input sample under it instead of skipping some. When growing (or without antialiasing) the
weights are plain ``align_corners=False`` interpolation.

Example:
    >>> (resampling_weights(4, 2, "bilinear") * 7).round(6).tolist()  # halving: 3, 3, 1 sevenths
    [[3.0, 3.0, 1.0, 0.0], [0.0, 1.0, 3.0, 3.0]]
"""
from __future__ import annotations

import functools

import numpy

_RADIUS = {"bilinear": 1.0, "bicubic": 2.0}
_KEYS_A = -0.5  # the value PIL and PyTorch's antialiased bicubic use (plain bicubic: -0.75)


def _filter(mode: str, distance: numpy.ndarray) -> numpy.ndarray:
    s = numpy.abs(distance)
    if mode == "bilinear":
        return numpy.maximum(0.0, 1.0 - s)
    a = _KEYS_A
    near = ((a + 2) * s - (a + 3)) * s * s + 1
    far = ((a * s - 5 * a) * s + 8 * a) * s - 4 * a
    return numpy.where(s < 1, near, numpy.where(s < 2, far, 0.0))


@functools.lru_cache(maxsize=128)  # pipelines and models resample between the same sizes again and again
def resampling_weights(in_size: int, out_size: int, mode: str, ratio: float | None = None,
                       antialias: bool = True) -> numpy.ndarray:
    """The read-only ``(out_size, in_size)`` float64 matrix taking one axis from ``in_size`` to
    ``out_size`` samples; rows sum to 1.

    ``mode`` is 'bilinear' or 'bicubic'. ``ratio`` is the input step per output sample
    (``in_size / out_size`` by default; ``F.interpolate`` passes ``1 / scale_factor`` or the
    ``align_corners`` ratio). ``antialias=False`` keeps the filter unstretched.
    """
    if mode not in _RADIUS:
        raise ValueError(f"resampling_weights: mode must be 'bilinear' or 'bicubic', got {mode!r}")
    ratio = in_size / out_size if ratio is None else ratio
    stretch = max(ratio, 1.0) if antialias else 1.0
    support = _RADIUS[mode] * stretch
    centres = ratio * (numpy.arange(out_size) + 0.5)
    first = numpy.maximum((centres - support + 0.5).astype(numpy.int64), 0)  # truncation, as C's int()
    last = numpy.minimum((centres + support + 0.5).astype(numpy.int64), in_size)
    inputs = numpy.arange(in_size)
    weights = _filter(mode, (inputs[None, :] - centres[:, None] + 0.5) / stretch)
    weights = weights * ((inputs[None, :] >= first[:, None]) & (inputs[None, :] < last[:, None]))
    totals = weights.sum(axis=1, keepdims=True)
    weights = weights / numpy.where(totals == 0, 1.0, totals)
    weights.flags.writeable = False  # shared through the cache
    return weights
