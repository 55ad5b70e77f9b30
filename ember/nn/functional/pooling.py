"""Pooling with PyTorch's signatures: max, average and adaptive average pooling (1-, 2-, 3-D).

Max pooling is the ``max_pool`` primitive, whose gradient reaches exactly the
position PyTorch picks; with ``return_indices=True`` it is a gather at
PyTorch's flat indices (``max_pool_indices``); average pooling is the
``avg_pool`` primitive; adaptive average pooling is an ordinary average pool
when the sizes divide, and otherwise a product with one small averaging
matrix per axis (the windows are separable).
"""
from __future__ import annotations

import numpy

from ... import backend
from ...errors import EmberValueError
from ...ops import functions as F
from ...primitives import nn as nn_ops
from ...ops.creation import as_tensor
from ...tensor import Tensor
from .conv import batched, expand

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"]


def _pool_args(dims, op, kernel_size, stride, padding):
    kernel = expand(kernel_size, dims, "kernel_size", op)
    # stride=None (or an empty list, which PyTorch also accepts) means stride = kernel_size
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        expand(stride, dims, "stride", op)
    return kernel, stride, expand(padding, dims, "padding", op)


def _max_poolnd(dims, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f"max_pool{dims}d"
    x, added = batched(input, dims, op)
    kernel, stride, padding = _pool_args(dims, op, kernel_size, stride, padding)
    dilation = expand(dilation, dims, "dilation", op)
    if not return_indices:  # window maxima straight from strided views: no index arrays at all
        values = nn_ops.max_pool(x, kernel, stride, padding, dilation, ceil_mode)
        return F.squeeze(values, 0) if added else values
    indices = nn_ops.max_pool_indices(x, kernel, stride, padding, dilation, ceil_mode)
    # windows that cannot overlap never pick one element twice: the backward scatter may assign
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
    values = nn_ops.pool_gather(x, indices, disjoint)
    if added:
        values, indices = F.squeeze(values, 0), F.squeeze(indices, 0)
    return values, indices


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over sliding windows of ``(N, C, L)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
        tensor([[[3., 5.]]])
    """
    return _max_poolnd(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over sliding windows of ``(N, C, H, W)``; the gradient goes to each window's argmax.

    With ``return_indices=True`` also returns the flat index of each maximum in
    its ``H * W`` plane (PyTorch's indices, usable by ``max_unpool2d``).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.arange(16.0).reshape(1, 1, 4, 4)
        >>> F.max_pool2d(x, 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
        >>> F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)[1].tolist()
        [[[[5, 7], [13, 15]]]]
    """
    return _max_poolnd(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over sliding windows of ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.max_pool3d(ember.ones(1, 1, 4, 4, 4), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _max_poolnd(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_poolnd(dims, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    op = f"avg_pool{dims}d"
    x, added = batched(input, dims, op)
    kernel, stride, padding = _pool_args(dims, op, kernel_size, stride, padding)
    out = nn_ops.avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override,
                          check=True)
    return F.squeeze(out, 0) if added else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:
    """Average over sliding windows of ``(N, C, L)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.avg_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2)
        tensor([[[2., 4.]]])
    """
    return _avg_poolnd(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """Average over sliding windows of ``(N, C, H, W)``.

    ``count_include_pad=False`` divides by the number of real (unpadded)
    elements in each window; ``divisor_override`` replaces the divisor.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.ones(1, 1, 3, 3)
        >>> F.avg_pool2d(x, 2, stride=1, padding=1)[0, 0, 0]
        tensor([0.2500, 0.5000, 0.5000, 0.2500])
        >>> F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)[0, 0, 0]
        tensor([1., 1., 1., 1.])
    """
    return _avg_poolnd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """Average over sliding windows of ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.avg_pool3d(ember.ones(1, 1, 4, 4, 4), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _avg_poolnd(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _averaging_matrix(size_in: int, size_out: int, dtype, xp=None) -> Tensor:
    """``(size_out, size_in)`` rows averaging PyTorch's adaptive windows [floor(i*n/m), ceil((i+1)*n/m))."""
    matrix = numpy.zeros((size_out, size_in), dtype=dtype)
    for i in range(size_out):
        start, end = (i * size_in) // size_out, -(-((i + 1) * size_in) // size_out)
        matrix[i, start:end] = 1.0 / (end - start)
    return as_tensor((xp or backend.namespace_for(None)).asarray(matrix))


def _adaptive_avg_poolnd(dims, input, output_size):
    op = f"adaptive_avg_pool{dims}d"
    x, added = batched(input, dims, op)
    spatial = tuple(x.shape[2:])
    single = isinstance(output_size, int) or output_size is None
    sizes = (output_size,) * dims if single else tuple(output_size)
    if len(sizes) != dims:
        raise EmberValueError(f"{op}: output_size must be an int or a tuple of {dims}, got {output_size}")
    sizes = tuple(n if m is None else int(m) for n, m in zip(spatial, sizes))
    if any(m <= 0 for m in sizes) or any(n == 0 for n in x.shape[1:]):
        raise EmberValueError(f"{op}: output_size {sizes} must be positive and the input's non-batch "
                              f"dimensions non-empty; got input of shape {x.shape}")
    if all(n % m == 0 for n, m in zip(spatial, sizes)):  # equal windows: a plain average pool
        kernel = tuple(n // m for n, m in zip(spatial, sizes))
        out = nn_ops.avg_pool(x, kernel, kernel, (0,) * dims, False, True, None)
    else:
        out = x
        for axis, (n, m) in enumerate(zip(spatial, sizes)):
            matrix = _averaging_matrix(n, m, x.dtype.numpy, backend.namespace_of(x._data))
            moved = F.transpose(out, 2 + axis, -1)
            out = F.transpose(F.matmul(moved, F.t(matrix)), 2 + axis, -1)
    return F.squeeze(out, 0) if added else out


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average pooling to a fixed output length, whatever the input length.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.adaptive_avg_pool1d(ember.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
        tensor([[[2.0000, 4.0000]]])
    """
    return _adaptive_avg_poolnd(1, input, output_size)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling to a fixed ``(H_out, W_out)`` (an int means square; None keeps that size).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.adaptive_avg_pool2d(ember.ones(2, 3, 7, 5), (2, None)).shape
        (2, 3, 2, 5)
        >>> F.adaptive_avg_pool2d(ember.ones(2, 3, 7, 5), 1).shape
        (2, 3, 1, 1)
    """
    return _adaptive_avg_poolnd(2, input, output_size)


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """Average pooling to a fixed ``(D_out, H_out, W_out)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.adaptive_avg_pool3d(ember.ones(1, 2, 5, 4, 3), 2).shape
        (1, 2, 2, 2, 2)
    """
    return _adaptive_avg_poolnd(3, input, output_size)
