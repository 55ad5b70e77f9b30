"""Convolutions with PyTorch's signatures: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d``.

These translate PyTorch's arguments (ints or tuples, ``padding='same'``,
unbatched inputs, an optional bias) into the normalised geometry of the
primitives in :mod:`ember.primitives.nn`; the gradients come from those primitives.
"""
from __future__ import annotations

from ...errors import EmberValueError, ShapeError
from ...ops import functions as F
from ...primitives import nn as nn_ops
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def expand(value, dims: int, name: str, op: str) -> tuple:
    """An int or a sequence as a ``dims``-tuple of ints (PyTorch's ``_pair``/``_triple``)."""
    if isinstance(value, int):
        return (value,) * dims
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise EmberValueError(f"{op}: expected {name} to be an int or a tuple of {dims} ints, got {value}")
    return value


def conv_padding(padding, kernel, stride, dilation, op: str) -> tuple:
    """PyTorch's ``padding`` argument as ``(before, after)`` pairs per spatial axis."""
    dims = len(kernel)
    if padding == "valid":
        return ((0, 0),) * dims
    if padding == "same":
        if any(s != 1 for s in stride):
            raise EmberValueError(f"{op}: padding='same' is not supported for strided convolutions")
        # the odd unit of an even dilated kernel goes after, as in PyTorch
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise EmberValueError(f"{op}: invalid padding string {padding!r}, expected 'valid' or 'same'")
    pads = expand(padding, dims, "padding", op)
    if any(p < 0 for p in pads):
        raise EmberValueError(f"{op}: negative padding is not supported, got {pads}")
    return tuple((p, p) for p in pads)


def batched(input: Tensor, dims: int, op: str):
    """``(input with a batch axis, whether one was added)``; PyTorch accepts unbatched inputs."""
    if input.ndim == dims + 1:
        return F.unsqueeze(input, 0), True
    if input.ndim != dims + 2:
        raise ShapeError(f"{op}: expected {dims + 1}-D (unbatched) or {dims + 2}-D (batched) input, "
                         f"but got input of shape {tuple(input.shape)}")
    return input, False


def _add_bias(out: Tensor, bias, op: str) -> Tensor:
    if bias is None:
        return out
    if bias.ndim != 1 or bias.shape[0] != out.shape[1]:
        raise ShapeError(f"{op}: expected bias of shape ({out.shape[1]},), got {tuple(bias.shape)}")
    return out + F.reshape(bias, (1, -1) + (1,) * (out.ndim - 2))


def _convnd(dims, input, weight, bias, stride, padding, dilation, groups):
    op = f"conv{dims}d"
    x, added = batched(input, dims, op)
    kernel = tuple(weight.shape[2:])
    stride = expand(stride, dims, "stride", op)
    dilation = expand(dilation, dims, "dilation", op)
    if any(s <= 0 for s in stride) or any(d <= 0 for d in dilation) or groups <= 0:
        raise EmberValueError(f"{op}: stride {stride}, dilation {dilation} and groups {groups} "
                              "must be positive")
    pads = conv_padding(padding, kernel, stride, dilation, op)
    out = _add_bias(nn_ops.conv(x, weight, stride, pads, dilation, groups, check=True), bias, op)
    return F.squeeze(out, 0) if added else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D cross-correlation over ``(N, C_in, L)`` with ``weight`` ``(C_out, C_in/groups, k)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.conv1d(ember.ones(1, 2, 5), ember.ones(3, 2, 3), padding=1).shape
        (1, 3, 5)
    """
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D cross-correlation over ``(N, C_in, H, W)`` with ``weight`` ``(C_out, C_in/groups, kH, kW)``.

    ``padding`` is an int, a pair, ``'valid'`` or ``'same'`` (stride 1 only).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.ones(2, 3, 8, 8)
        >>> F.conv2d(x, ember.ones(4, 3, 3, 3), stride=2, padding=1).shape
        (2, 4, 4, 4)
        >>> F.conv2d(x, ember.ones(6, 1, 2, 2), padding="same", groups=3).shape
        (2, 6, 8, 8)
    """
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D cross-correlation over ``(N, C_in, D, H, W)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.conv3d(ember.ones(1, 1, 4, 4, 4), ember.ones(2, 1, 3, 3, 3)).shape
        (1, 2, 2, 2, 2)
    """
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups)


def transposed_output_size(size, kernel, stride, padding, output_padding, dilation) -> int:
    """PyTorch's output length of a transposed convolution along one axis."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _conv_transposend(dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    op = f"conv_transpose{dims}d"
    x, added = batched(input, dims, op)
    kernel = tuple(weight.shape[2:])
    stride = expand(stride, dims, "stride", op)
    dilation = expand(dilation, dims, "dilation", op)
    padding = expand(padding, dims, "padding", op)
    output_padding = expand(output_padding, dims, "output_padding", op)
    for s, d, extra in zip(stride, dilation, output_padding):
        if not 0 <= extra < max(s, d):
            raise EmberValueError(f"{op}: output padding must be smaller than either stride or "
                                  f"dilation, but got output_padding={output_padding}, "
                                  f"stride={stride}, dilation={dilation}")
    spatial = tuple(transposed_output_size(n, k, s, p, extra, d) for n, k, s, p, extra, d
                    in zip(x.shape[2:], kernel, stride, padding, output_padding, dilation))
    pads = tuple((p, p) for p in padding)
    out = nn_ops.conv_transpose(x, weight, stride, pads, dilation, groups, spatial, check=True)
    out = _add_bias(out, bias, op)
    return F.squeeze(out, 0) if added else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """1-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, k)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.conv_transpose1d(ember.ones(1, 2, 4), ember.ones(2, 3, 3), stride=2).shape
        (1, 3, 9)
    """
    return _conv_transposend(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution (the gradient of ``conv2d`` in its input).

    ``weight`` is ``(C_in, C_out/groups, kH, kW)``; the output size is
    ``(H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.ones(1, 4, 5, 5)
        >>> F.conv_transpose2d(x, ember.ones(4, 2, 3, 3), stride=2, padding=1, output_padding=1).shape
        (1, 2, 10, 10)
    """
    return _conv_transposend(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """3-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, kD, kH, kW)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.conv_transpose3d(ember.ones(1, 1, 2, 2, 2), ember.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 3, 3, 3)
    """
    return _conv_transposend(3, input, weight, bias, stride, padding, output_padding, groups, dilation)
