"""Pooling, channels last: Max/AveragePooling1D/2D and the global poolings.

Windows are computed by ``ember.nn.functional``'s pooling on channels-first
views; ``padding='same'`` pads as TensorFlow does (max pooling ignores the
padding, average pooling divides by the number of real values in a window).

Example:
    >>> import ember
    >>> from ember import keras
    >>> x = ember.arange(16.0).reshape(1, 4, 4, 1)
    >>> keras.layers.MaxPooling2D()(x)[..., 0].tolist()
    [[[5.0, 7.0], [13.0, 15.0]]]
    >>> keras.layers.AveragePooling2D(3, strides=2, padding="same")(x).shape
    (1, 2, 2, 1)
    >>> keras.layers.GlobalAveragePooling2D()(x)
    tensor([[7.5000]])
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .conv import as_tuple, output_size, pad_spatial, same_padding, to_channels_first, to_channels_last
from . import masks
from .layer import Layer


class _Pooling(Layer):
    rank = 2

    def __init__(self, pool_size=2, strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
        self.pool_size = as_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else as_tuple(strides, self.rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding {padding!r}: use 'valid' or 'same'")

    def _pads(self, x):
        if self.padding == "valid":
            return [(0, 0)] * self.rank
        return [same_padding(size, k, s, 1) for size, k, s in zip(x.shape[2:], self.pool_size, self.strides)]

    def call(self, inputs):
        x = to_channels_first(inputs)
        return to_channels_last(self._pool(x, self._pads(x)))

    def compute_output_shape(self, input_shape):
        spatial = tuple(output_size(size, k, s, 1, self.padding)
                        for size, k, s in zip(input_shape[1:-1], self.pool_size, self.strides))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": "channels_last"}


class _MaxPooling(_Pooling):
    def _pool(self, x, pads):
        pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[self.rank - 1]
        return pool(pad_spatial(x, pads, value=float("-inf")), self.pool_size, self.strides)


class _AveragePooling(_Pooling):
    def _pool(self, x, pads):
        pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[self.rank - 1]
        averages = pool(pad_spatial(x, pads), self.pool_size, self.strides)
        if all(before == after == 0 for before, after in pads):
            return averages
        # Windows overlapping the padding average only the real values (as TensorFlow does).
        ones = ember.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
        coverage = pool(pad_spatial(ones, pads), self.pool_size, self.strides)
        return averages / coverage


class MaxPooling1D(_MaxPooling):
    rank = 1


class MaxPooling2D(_MaxPooling):
    rank = 2


class MaxPooling3D(_MaxPooling):
    rank = 3


class AveragePooling1D(_AveragePooling):
    rank = 1


class AveragePooling2D(_AveragePooling):
    rank = 2


class AveragePooling3D(_AveragePooling):
    rank = 3


class _GlobalPooling(Layer):
    rank = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.keepdims = keepdims

    def call(self, inputs):
        axes = tuple(range(1, 1 + self.rank))
        return self._reduce(inputs, axes)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": "channels_last", "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over time; with a ``(batch, steps)`` mask, the mean of the kept steps only."""

    rank = 1
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None or self.rank != 1:
            return self._reduce(inputs, tuple(range(1, 1 + self.rank)))
        weights = ember.unsqueeze(ember.cast(masks.check_mask(mask, inputs, self.name), inputs.dtype), 2)
        total = ember.sum(inputs * weights, 1, keepdim=self.keepdims)
        return total / ember.sum(weights, 1, keepdim=self.keepdims)

    def compute_mask(self, inputs, previous_mask):
        return None

    def _reduce(self, x, axes):
        return ember.mean(x, axes, keepdim=self.keepdims)


class GlobalAveragePooling2D(GlobalAveragePooling1D):
    rank = 2
    supports_masking = False


class GlobalAveragePooling3D(GlobalAveragePooling1D):
    rank = 3
    supports_masking = False


class GlobalMaxPooling1D(_GlobalPooling):
    rank = 1

    def _reduce(self, x, axes):
        return ember.amax(x, axes, keepdim=self.keepdims)


class GlobalMaxPooling2D(GlobalMaxPooling1D):
    rank = 2


class GlobalMaxPooling3D(GlobalMaxPooling1D):
    rank = 3


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
