"""Convolutions, channels last: Conv1D ``(batch, steps, channels)``, Conv2D ``(batch, h, w, channels)``, Conv3D.

Kernels use Keras's layout, ``(k, in, out)`` and ``(kh, kw, in, out)``; the
computation is ``ember.nn.functional.conv1d/conv2d`` on the inputs moved to
channels-first (a view), activated there when the activation is per value,
and moved back (a view): a stack of convolutions and poolings keeps its data
in channels-first memory and pays no transposing copy per layer. ``padding='same'`` pads as TensorFlow does (the odd pixel at
the end, also with strides).

Example:
    >>> import ember
    >>> from ember import keras
    >>> conv = keras.layers.Conv2D(8, 3, padding="same", strides=2, activation="relu")
    >>> conv(ember.ones(2, 28, 28, 1)).shape, conv.kernel.shape
    ((2, 14, 14, 8), (3, 3, 1, 8))
    >>> conv.count_params()
    80
"""
from __future__ import annotations

import math

import ember
from ember.nn import functional as F

from .. import activations, constraints, initializers, regularizers
from .layer import Layer


# Built-in activations that act on each value alone (softmax and log_softmax read a whole axis).
PER_VALUE_ACTIVATIONS = frozenset(function for name, function in activations._BY_NAME.items()
                                  if name not in ("softmax", "log_softmax"))


def as_tuple(value, rank: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"The `{name}` argument must be a tuple of {rank} integers. Received: {value}")
    return value


def output_size(size, kernel: int, stride: int, dilation: int, padding: str):
    """One spatial output size under Keras's 'valid'/'same' rules (None stays None)."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """(before, after) zeros for 'same': TensorFlow's rule, the odd one after."""
    total = max((math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def pad_spatial(x, pads, value: float = 0.0):
    """Pad the spatial axes (2 … ndim-1) of a channels-first tensor with (before, after) pairs."""
    if all(before == after == 0 for before, after in pads):
        return x
    flat = [amount for before, after in reversed(pads) for amount in (before, after)]
    return ember.pad(x, flat, value=value)


def to_channels_first(x):
    return ember.permute(x, (0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


def to_channels_last(x):
    return ember.permute(x, (0,) + tuple(range(2, x.ndim)) + (1,))


class _Conv(Layer):
    """Shared by Conv1D and Conv2D; ``rank`` is the number of spatial axes."""

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding {padding!r}: use 'valid' or 'same'")
        self.filters, self.groups, self.padding = filters, groups, padding
        self.kernel_size = as_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = as_tuple(strides, self.rank, "strides")
        self.dilation_rate = as_tuple(dilation_rate, self.rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        channels = input_shape[-1]
        if channels is None or channels % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension of the inputs "
                             f"must be known and divisible by groups={self.groups}; got {input_shape}")
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(shape=shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None

    def call(self, inputs):
        x = to_channels_first(inputs)
        if self.padding == "same":
            x = pad_spatial(x, [same_padding(size, k, s, d) for size, k, s, d in zip(
                x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)])
        # Keras (k…, in, out) → PyTorch (out, in, k…)
        weight = ember.permute(self.kernel, (self.rank + 1, self.rank) + tuple(range(self.rank)))
        convolve = (F.conv1d, F.conv2d, F.conv3d)[self.rank - 1]
        outputs = convolve(x, weight, self.bias, self.strides, 0, self.dilation_rate, self.groups)
        if self.activation in PER_VALUE_ACTIVATIONS:
            # the same values either way; activated channels first, the result stays in the
            # convolution's memory order (channels last is a view), so a following pooling or
            # convolution reads it without a transposing copy
            return to_channels_last(self.activation(outputs))
        return self.activation(to_channels_last(outputs))

    def compute_output_shape(self, input_shape):
        spatial = tuple(output_size(size, k, s, d, self.padding) for size, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": "channels_last",
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}


class Conv1D(_Conv):
    """Temporal convolution over ``(batch, steps, channels)``; kernel ``(k, in, out)``."""

    rank = 1


class Conv2D(_Conv):
    """Spatial convolution over ``(batch, height, width, channels)``; kernel ``(kh, kw, in, out)``."""

    rank = 2


class Conv3D(_Conv):
    """Volume convolution over ``(batch, depth, height, width, channels)``; kernel ``(kd, kh, kw, in, out)``."""

    rank = 3
