"""Gradients of the convolutions in their input and weight (``torch.nn.grad``).

``conv{1,2,3}d_input`` and ``conv{1,2,3}d_weight`` take PyTorch's arguments and bind the
convolution's own adjoint primitives (``conv_transpose`` and ``conv_weight_grad`` in
:mod:`ember.primitives.nn`), so they are differentiable again (custom autograd Functions
that hand-write a convolution's backward, e.g. a fused conv + batch norm, use them).
"""
from __future__ import annotations

from ..errors import EmberValueError, ShapeError
from ..primitives import nn as nn_ops
from .functional.conv import conv_padding, expand

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight",
           "conv3d_input", "conv3d_weight"]


def _geometry(dims, kernel, stride, padding, dilation, groups, op):
    stride = expand(stride, dims, "stride", op)
    dilation = expand(dilation, dims, "dilation", op)
    if any(s <= 0 for s in stride) or any(d <= 0 for d in dilation) or groups <= 0:
        raise EmberValueError(f"{op}: stride {stride}, dilation {dilation} and groups {groups} "
                              "must be positive")
    return stride, conv_padding(padding, kernel, stride, dilation, op), dilation, int(groups)


def _check_batched(op, dims, **tensors):
    for name, value in tensors.items():
        if len(value) != dims + 2:
            raise ShapeError(f"{op}: expected {name} with {dims + 2} dimensions (N, C, *spatial), "
                             f"got {tuple(value)}")


def _input_grad(dims, input_size, weight, grad_output, stride, padding, dilation, groups):
    op = f"conv{dims}d_input"
    input_size = tuple(int(n) for n in input_size)
    _check_batched(op, dims, input_size=input_size, grad_output=tuple(grad_output.shape))
    geometry = _geometry(dims, tuple(weight.shape[2:]), stride, padding, dilation, groups, op)
    out = nn_ops.conv_transpose(grad_output, weight, *geometry, input_size[2:], check=True)
    if tuple(out.shape) != input_size:
        raise ShapeError(f"{op}: the gradient has shape {tuple(out.shape)}, not input_size "
                         f"{input_size} (weight of shape {tuple(weight.shape)}, groups={groups})")
    return out


def _weight_grad(dims, input, weight_size, grad_output, stride, padding, dilation, groups):
    op = f"conv{dims}d_weight"
    weight_size = tuple(int(n) for n in weight_size)
    _check_batched(op, dims, input=tuple(input.shape), weight_size=weight_size,
                   grad_output=tuple(grad_output.shape))
    geometry = _geometry(dims, weight_size[2:], stride, padding, dilation, groups, op)
    out = nn_ops.conv_weight_grad(input, grad_output, *geometry, weight_size[2:])
    if tuple(out.shape) != weight_size:
        raise ShapeError(f"{op}: the gradient has shape {tuple(out.shape)}, not weight_size "
                         f"{weight_size} (input of shape {tuple(input.shape)}, groups={groups})")
    return out


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv1d`` in its input of size ``input_size``."""
    return _input_grad(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv2d`` in its input of size ``input_size``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.randn(1, 2, 5, 5, requires_grad=True)
        >>> w = ember.randn(3, 2, 3, 3)
        >>> g = ember.randn(1, 3, 3, 3)
        >>> F.conv2d(x, w).backward(g)
        >>> bool(ember.allclose(ember.nn.grad.conv2d_input(x.shape, w, g), x.grad, atol=1e-5))
        True
    """
    return _input_grad(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv3d`` in its input of size ``input_size``."""
    return _input_grad(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv1d`` in its weight of size ``weight_size``."""
    return _weight_grad(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv2d`` in its weight of size ``weight_size``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.randn(1, 2, 5, 5)
        >>> w = ember.randn(3, 2, 3, 3, requires_grad=True)
        >>> g = ember.randn(1, 3, 3, 3)
        >>> F.conv2d(x, w).backward(g)
        >>> bool(ember.allclose(ember.nn.grad.conv2d_weight(x, w.shape, g), w.grad, atol=1e-5))
        True
    """
    return _weight_grad(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv3d`` in its weight of size ``weight_size``."""
    return _weight_grad(3, input, weight_size, grad_output, stride, padding, dilation, groups)
