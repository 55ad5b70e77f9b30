"""Normalisation: batch, layer, group and RMS norm, and ``normalize``.

All are composites of mean/variance arithmetic. ``batch_norm`` also updates
the running statistics in place (outside the graph) when training, using the
unbiased batch variance, as PyTorch does.
"""
from __future__ import annotations

import math

import numpy

from ...autograd.grad_mode import no_grad
from ...backend import float16, float32
from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...primitives.core import bind
from ...primitives.layer_norm import LayerNorm
from ...tensor import Tensor


def _channel_view(tensor: Tensor, ndim: int) -> Tensor:
    """A per-channel vector shaped ``(1, C, 1, ...)`` to broadcast over an ``ndim``-D input."""
    return E.reshape(tensor, (1, -1) + (1,) * (ndim - 2))


def _normalized(x: Tensor, axes, eps: float) -> Tensor:
    """(x - mean) / sqrt(biased var + eps) over ``axes``."""
    centered = x - E.mean(x, axes, keepdim=True)
    variance = E.mean(centered * centered, axes, keepdim=True)
    return centered * E.rsqrt(variance + eps)


def _affine(out: Tensor, weight, bias, view) -> Tensor:
    if weight is not None:
        out = out * view(weight)
    if bias is not None:
        out = out + view(bias)
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dimension 1) over the batch and spatial dimensions.

    Training uses the batch statistics and, when running buffers are given,
    blends them in: ``running = (1 - momentum) * running + momentum * batch``
    (unbiased variance). Evaluation uses the running statistics.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> x = ember.tensor([[1.0], [3.0]])
        >>> mean, var = ember.zeros(1), ember.ones(1)
        >>> F.batch_norm(x, mean, var, training=True, momentum=0.5).round(decimals=4).tolist()
        [[-1.0], [1.0]]
        >>> mean, var
        (tensor([1.]), tensor([1.5000]))
    """
    x = E._float(input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of at least 2 dimensions (N, C, ...), "
                         f"got shape {x.shape}")
    view = lambda t: _channel_view(t, x.ndim)  # noqa: E731
    if not training:
        if running_mean is None or running_var is None:
            raise EmberValueError("batch_norm: running_mean and running_var are needed in "
                                  "evaluation mode (training=False)")
        out = (x - view(running_mean)) * E.rsqrt(view(running_var) + eps)
        return _affine(out, weight, bias, view)
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.numel() // max(x.shape[1], 1)
    if count <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
    mean = E.mean(x, axes, keepdim=True)
    centered = x - mean
    variance = E.mean(centered * centered, axes, keepdim=True)
    if running_mean is not None or running_var is not None:
        _update_running(running_mean, running_var, mean, variance, count, momentum)
    return _affine(centered * E.rsqrt(variance + eps), weight, bias, view)


def _update_running(running_mean, running_var, mean, variance, count, momentum) -> None:
    with no_grad():
        if running_mean is not None:
            batch_mean = E.reshape(mean.detach(), running_mean.shape)
            running_mean.copy_(running_mean * (1 - momentum) + batch_mean * momentum)
        if running_var is not None:
            unbiased = E.reshape(variance.detach(), running_var.shape) * (count / (count - 1))
            running_var.copy_(running_var * (1 - momentum) + unbiased * momentum)


def _shape_tuple(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_trailing(op: str, x: Tensor, shape: tuple) -> tuple:
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise ShapeError(f"{op}: given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, shape))}], but got input of size {x.shape}")
    return tuple(range(x.ndim - len(shape), x.ndim))


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions of each sample.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.layer_norm(ember.tensor([[1.0, 3.0]]), (2,)).round(decimals=4).tolist()
        [[-1.0, 1.0]]
    """
    x = E._float(input)
    axes = _check_trailing("layer_norm", x, _shape_tuple(normalized_shape))
    if _fusable(x, axes, weight, bias):  # one primitive: see ember/primitives/layer_norm.py
        affine = () if weight is None else (weight, bias)
        return bind(LayerNorm, (x, *affine), (len(axes), float(eps)))
    if x.dtype == float16:  # statistics and affine in float32, the result cast back (PyTorch's rule)
        return E.cast(_affine(_normalized(E.cast(x, float32), axes, eps), weight, bias, lambda t: t), float16)
    return _affine(_normalized(x, axes, eps), weight, bias, lambda t: t)


def _fusable(x: Tensor, axes: tuple, weight, bias) -> bool:
    """The fused primitive takes both affine terms or neither, in the input's dtype."""
    if not axes or (weight is None) != (bias is None) or x._data.dtype.kind != "f":
        return False
    return weight is None or (isinstance(weight, Tensor) and isinstance(bias, Tensor)
                              and weight._data.dtype == bias._data.dtype == x._data.dtype)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x²) + eps) over the trailing dimensions (eps defaults to the dtype's epsilon).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.rms_norm(ember.tensor([[3.0, 3.0]]), (2,), eps=0.0)
        tensor([[1., 1.]])
    """
    x = E._float(input)
    axes = _check_trailing("rms_norm", x, _shape_tuple(normalized_shape))
    if eps is None:
        eps = float(numpy.finfo(x._data.dtype).eps)
    out = x * E.rsqrt(E.mean(x * x, axes, keepdim=True) + eps)
    return out if weight is None else out * weight


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels of each sample.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.group_norm(ember.tensor([[1.0, 3.0, 5.0, 5.0]]), 2).round(decimals=4).tolist()
        [[-1.0, 1.0, 0.0, 0.0]]
    """
    x = E._float(input)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ShapeError(f"group_norm: expected input (N, C, ...) with C divisible by "
                         f"num_groups={num_groups}, got shape {x.shape}")
    batch = x.shape[0]
    grouped = E.reshape(x, (batch, num_groups, x.numel() // max(batch * num_groups, 1)))
    out = E.reshape(_normalized(grouped, (2,), eps), x.shape)
    return _affine(out, weight, bias, lambda t: _channel_view(t, x.ndim))


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample over its spatial dimensions.

    It is batch norm on the input reshaped to ``(1, N*C, ...)``; running
    statistics (if given) receive the average over the batch.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.instance_norm(ember.tensor([[[1.0, 3.0]]])).round(decimals=4).tolist()
        [[[-1.0, 1.0]]]
    """
    x = E._float(input)
    batch, channels = x.shape[:2]
    folded = E.reshape(x, (1, batch * channels) + x.shape[2:])
    repeat = (lambda t: None if t is None else E.repeat(t, batch))  # noqa: E731
    folded_mean, folded_var = repeat(running_mean), repeat(running_var)
    out = batch_norm(folded, folded_mean, folded_var, None, None,
                     use_input_stats, momentum, eps)
    if use_input_stats:
        _fold_back(running_mean, folded_mean, batch, channels)
        _fold_back(running_var, folded_var, batch, channels)
    out = E.reshape(out, x.shape)
    return _affine(out, weight, bias, lambda t: _channel_view(t, x.ndim))


def _fold_back(running, folded, batch, channels) -> None:
    if running is not None:
        with no_grad():
            running.copy_(E.mean(E.reshape(folded, (batch, channels)), 0))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``; a zero vector stays zero with a finite gradient.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.normalize(ember.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """
    x = E._float(input)
    norm = _vector_norm(x, p, dim)
    return x / E.clamp(norm, min=eps)


def _vector_norm(x: Tensor, p: float, dim) -> Tensor:
    """‖x‖_p along ``dim`` (kept), with gradient 0 rather than nan at the zero vector."""
    if p == math.inf:
        return E.amax(E.abs(x), dim, keepdim=True)
    powered = E.sum(E.abs(x) ** p, dim, keepdim=True) if p != 2 else E.sum(x * x, dim, keepdim=True)
    positive = powered > 0
    safe = E.where(positive, powered, 1.0)
    return E.where(positive, safe ** (1.0 / p), 0.0)
