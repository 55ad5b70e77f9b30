"""Fractional max pooling (Graham, 2014): windows of a fixed size placed at pseudo-random,
non-uniform strides so the output size can be any fraction of the input's. The window starts
follow PyTorch's interval rule from one uniform sample per plane and dimension, so passing the
same ``_random_samples`` gives PyTorch's result; the maxima are a gather plus ``amax``."""
from __future__ import annotations

import numpy

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...ops.random import rand
from ...tensor import Tensor


def _starts(sample: numpy.ndarray, size: int, out: int, kernel: int, dtype) -> numpy.ndarray:
    """Window starts for every plane: ``(planes, out)``, computed in the input's float type as PyTorch."""
    sample = sample.astype(dtype)
    starts = numpy.empty(sample.shape + (out,), dtype=numpy.int64)
    if out > 1:
        alpha = dtype.type(size - kernel) / dtype.type(out - 1)
        steps = numpy.arange(out - 1, dtype=dtype)
        starts[..., :-1] = ((steps + sample[..., None]) * alpha).astype(numpy.int64) - (
            sample * alpha).astype(numpy.int64)[..., None]
    starts[..., -1] = size - kernel
    return starts


def _fractional_max_pool(name, input, kernel_size, output_size, output_ratio, return_indices, samples, dims):
    x = E._float(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{name}: expected a {dims + 1}-D or {dims + 2}-D input, got {x.shape}")
    batched = x.ndim == dims + 2
    x = x if batched else x.unsqueeze(0)
    kernel = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * dims
    spatial = x.shape[2:]
    if output_size is None:
        if output_ratio is None:
            raise EmberValueError(f"{name} requires specifying either an output_size or an output_ratio")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * dims
        output_size = tuple(int(s * r) for s, r in zip(spatial, ratio))
    out = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    for size, o, k in zip(spatial, out, kernel):
        if o + k - 1 > size:
            raise ShapeError(f"{name}: output size {out} is too large for input {spatial} with kernel {kernel}")
    batch, channels = x.shape[:2]
    if samples is None:
        samples = rand(batch, channels, dims, dtype=x.dtype, device=x.device)
    drawn = samples.numpy().reshape(batch * channels, dims)
    # PyTorch reads a 2-D plane's samples as (width, height) and a 3-D one's as (depth, height, width)
    order = (1, 0) if dims == 2 else tuple(range(dims))
    flat = numpy.zeros((batch * channels,) + out + kernel, dtype=numpy.int64)
    plane_strides = [int(numpy.prod(spatial[d + 1:])) for d in range(dims)]
    for d in range(dims):
        starts = _starts(drawn[:, order[d]], spatial[d], out[d], kernel[d], x.dtype.numpy)  # (planes, out_d)
        positions = starts[..., None] + numpy.arange(kernel[d])                             # (planes, out_d, k_d)
        shape = [batch * channels] + [1] * (2 * dims)
        shape[1 + d], shape[1 + dims + d] = out[d], kernel[d]
        flat = flat + (positions * plane_strides[d]).reshape(shape)
    window = int(numpy.prod(kernel))
    index = flat.reshape(batch, channels, -1)
    values = E.take_along_dim(x.reshape(batch, channels, -1), tensor(index, device=x.device), 2)
    values = values.reshape(batch, channels, *out, window)
    result = values.amax(-1)
    if not batched:
        result = result.squeeze(0)
    if not return_indices:
        return result
    chosen = numpy.take_along_axis(index.reshape(batch, channels, -1, window),
                                   values.detach().numpy().reshape(batch, channels, -1, window).argmax(-1)[..., None],
                                   -1).reshape((batch, channels) + out)
    indices = tensor(chosen if batched else chosen[0], device=x.device)
    return result, indices


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """Max over ``kernel_size`` windows placed at fractional strides of ``(N, C, H, W)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.fractional_max_pool2d(ember.randn(1, 2, 9, 9), 2, output_size=4).shape
        (1, 2, 4, 4)
    """
    return _fractional_max_pool("fractional_max_pool2d", input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples, 2)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """Max over ``kernel_size`` windows placed at fractional strides of ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.fractional_max_pool3d(ember.randn(1, 1, 6, 6, 6), 2, output_ratio=0.5).shape
        (1, 1, 3, 3, 3)
    """
    return _fractional_max_pool("fractional_max_pool3d", input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples, 3)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = True, _random_samples=None):
    """``(values, indices)`` of :func:`fractional_max_pool2d`."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = True, _random_samples=None):
    """``(values, indices)`` of :func:`fractional_max_pool3d`."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
