"""Transposed, depthwise and separable convolutions (channels last, Keras's kernel layouts).

- ``Conv1DTranspose``/``Conv2DTranspose``: kernel ``(k…, filters, in)``; the full
  transposed convolution is cropped (or zero-extended) to Keras's output size,
  as Keras's torch backend does, then the bias is added.
- ``DepthwiseConv1D``/``DepthwiseConv2D``: kernel ``(k…, in, depth_multiplier)``,
  one filter group per input channel.
- ``SeparableConv1D``/``SeparableConv2D``: a depthwise convolution, then a 1×1
  ``pointwise_kernel (1…, in * depth_multiplier, filters)``.

Example:
    >>> import ember
    >>> from ember import keras
    >>> up = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    >>> up(ember.ones(1, 5, 5, 2)).shape, up.kernel.shape
    ((1, 10, 10, 4), (3, 3, 4, 2))
    >>> keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(ember.ones(1, 5, 5, 3)).shape
    (1, 3, 3, 6)
    >>> keras.layers.SeparableConv2D(8, 3, padding="same")(ember.ones(1, 5, 5, 3)).shape
    (1, 5, 5, 8)
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .. import activations, constraints, initializers, regularizers
from .conv import (as_tuple, output_size, pad_spatial, same_padding, to_channels_first,
                   to_channels_last)
from .layer import Layer


class _ConvBase(Layer):
    """Shared arguments: strides, padding, dilation, activation, bias; ``rank`` spatial axes."""

    rank = 2

    def __init__(self, kernel_size, strides=1, padding: str = "valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias: bool = True, bias_initializer="zeros", bias_regularizer=None,
                 activity_regularizer=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding {padding!r}: use 'valid' or 'same'")
        self.kernel_size = as_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = as_tuple(strides, self.rank, "strides")
        self.dilation_rate = as_tuple(dilation_rate, self.rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)

    def _weight(self, name: str, shape, initializer, regularizer, constraint):
        return self.add_weight(shape=tuple(shape), initializer=initializer, regularizer=regularizer,
                               constraint=constraint, name=name)

    def _bias(self, size: int):
        if not self.use_bias:
            return None
        return self._weight("bias", (size,), self.bias_initializer, self.bias_regularizer, self.bias_constraint)

    def _finish(self, outputs_channels_first):
        outputs = to_channels_last(outputs_channels_first)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def _same_pad(self, x):
        if self.padding != "same":
            return x
        return pad_spatial(x, [same_padding(size, k, s, d) for size, k, s, d in zip(
            x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)])

    def _spatial_output(self, input_shape) -> tuple:
        return tuple(output_size(size, k, s, d, self.padding) for size, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": "channels_last",
                "dilation_rate": list(self.dilation_rate), "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


def _conv(rank: int):
    return (F.conv1d, F.conv2d, F.conv3d)[rank - 1]


def _keras_to_torch_kernel(kernel, rank: int):
    """(k…, a, b) → (b, a, k…): Keras's layout to PyTorch's (out, in, k…) or (in, out, k…)."""
    return ember.permute(kernel, (rank + 1, rank) + tuple(range(rank)))


# --- transposed ---------------------------------------------------------------
def transpose_crops(size: int, kernel: int, stride: int, dilation: int, padding: str, output_padding):
    """(left, right) amounts to cut from the full transposed output (negative: zeros to add)."""
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        left, right = effective - 1, effective - 1 + extra
    else:
        total = stride + effective - 2 if output_padding is None else \
            effective + effective % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, effective - 1)
        right = total - left
    return (effective - 1) - left, (effective - 1) - right


def transpose_output_size(size, kernel: int, stride: int, dilation: int, padding: str, output_padding):
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    return size * stride if output_padding is None else (size - 1) * stride + effective % 2 + output_padding


class _ConvTranspose(_ConvBase):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        self.filters = filters
        self.output_padding = None if output_padding is None else as_tuple(output_padding, self.rank,
                                                                             "output_padding")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape) -> None:
        self.kernel = self._weight("kernel", self.kernel_size + (self.filters, input_shape[-1]),
                                   self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self.bias = self._bias(self.filters)

    def _output_paddings(self):
        return self.output_padding or (None,) * self.rank

    def call(self, inputs):
        transpose = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self.rank - 1]
        full = transpose(to_channels_first(inputs), _keras_to_torch_kernel(self.kernel, self.rank), None,
                         self.strides, 0, 0, 1, self.dilation_rate)
        crops = [transpose_crops(size, k, s, d, self.padding, op) for size, k, s, d, op in zip(
            inputs.shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, self._output_paddings())]
        index = [slice(None), slice(None)] + [slice(max(left, 0), full.shape[axis] - max(right, 0))
                                              for axis, (left, right) in enumerate(crops, start=2)]
        outputs = pad_spatial(full[tuple(index)], [(max(-left, 0), max(-right, 0)) for left, right in crops])
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        spatial = tuple(transpose_output_size(size, k, s, d, self.padding, op) for size, k, s, d, op in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, self._output_paddings()))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "output_padding": None if self.output_padding is None else list(self.output_padding),
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint)}


class Conv1DTranspose(_ConvTranspose):
    """Transposed convolution over ``(batch, steps, channels)``; kernel ``(k, filters, in)``."""

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """Transposed convolution over ``(batch, h, w, channels)``; kernel ``(kh, kw, filters, in)``."""

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    rank = 3


# --- depthwise and separable -------------------------------------------------
class _Depthwise(_ConvBase):
    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    depthwise_name = "kernel"  # Keras's weight name (SeparableConv's is depthwise_kernel)

    def build(self, input_shape) -> None:
        self._build_depthwise(input_shape)
        self.bias = self._bias(input_shape[-1] * self.depth_multiplier)

    def _build_depthwise(self, input_shape) -> None:
        weight = self._weight(self.depthwise_name, self.kernel_size + (input_shape[-1], self.depth_multiplier),
                              self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        setattr(self, self.depthwise_name, weight)

    def depthwise(self, inputs):
        """The channels-first depthwise convolution of channels-last ``inputs`` (no bias)."""
        channels = inputs.shape[-1]
        kernel = ember.reshape(getattr(self, self.depthwise_name),
                               self.kernel_size + (1, channels * self.depth_multiplier))
        x = self._same_pad(to_channels_first(inputs))
        return _conv(self.rank)(x, _keras_to_torch_kernel(kernel, self.rank), None, self.strides, 0,
                                self.dilation_rate, channels)

    def call(self, inputs):
        return self._finish(self.depthwise(inputs))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._spatial_output(input_shape) + (input_shape[-1] * self.depth_multiplier,)

    def get_config(self) -> dict:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint)}


class DepthwiseConv1D(_Depthwise):
    rank = 1


class DepthwiseConv2D(_Depthwise):
    """One ``kernel_size`` filter (``depth_multiplier`` of them) per input channel."""

    rank = 2


class _Separable(_Depthwise):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
                         activation, use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer,
                         bias_regularizer, activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    depthwise_name = "depthwise_kernel"

    def build(self, input_shape) -> None:
        channels = input_shape[-1] * self.depth_multiplier
        self._build_depthwise(input_shape)
        self.pointwise_kernel = self._weight("pointwise_kernel", (1,) * self.rank + (channels, self.filters),
                                             self.pointwise_initializer, self.pointwise_regularizer,
                                             self.pointwise_constraint)
        self.bias = self._bias(self.filters)

    def call(self, inputs):
        pointwise = _keras_to_torch_kernel(self.pointwise_kernel, self.rank)
        return self._finish(_conv(self.rank)(self.depthwise(inputs), pointwise))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._spatial_output(input_shape) + (self.filters,)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint)}


class SeparableConv1D(_Separable):
    rank = 1


class SeparableConv2D(_Separable):
    """A depthwise convolution then a 1×1 convolution to ``filters`` channels."""

    rank = 2
