"""Adaptive pooling: average or max pooling to a fixed output size, whatever the input size.

Output cell ``i`` of an axis of input size ``n`` and output size ``m`` pools
inputs ``floor(i n / m)`` to ``ceil((i + 1) n / m)`` (PyTorch's bins, which
Keras's torch backend uses). Channels last by default; ``channels_first`` too.

Example:
    >>> import ember
    >>> from ember import keras
    >>> keras.layers.AdaptiveAveragePooling2D((2, 3))(ember.ones(4, 7, 9, 5)).shape
    (4, 2, 3, 5)
    >>> keras.layers.AdaptiveMaxPooling1D(2)(ember.arange(6.0).reshape(1, 6, 1))[0, :, 0].tolist()
    [2.0, 5.0]
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .layer import Layer

_POOLS = {("average", 1): F.adaptive_avg_pool1d, ("average", 2): F.adaptive_avg_pool2d,
          ("average", 3): F.adaptive_avg_pool3d, ("max", 1): F.adaptive_max_pool1d,
          ("max", 2): F.adaptive_max_pool2d, ("max", 3): F.adaptive_max_pool3d}


def _output_size(output_size, rank: int, class_name: str) -> tuple:
    if isinstance(output_size, int):
        return (output_size,) * rank
    if isinstance(output_size, (tuple, list)) and len(output_size) == rank:
        return tuple(int(size) for size in output_size)
    raise TypeError(f"{class_name}: `output_size` must be an integer or a tuple of {rank} integers. "
                    f"Received: {output_size} of type {type(output_size)}")


class _AdaptivePooling(Layer):
    _kind = "average"
    _rank = 1

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = _output_size(output_size, self._rank, type(self).__name__)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected 'channels_first' or "
                             "'channels_last'.")

    def call(self, inputs):
        if inputs.ndim != self._rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs of rank {self._rank + 2} "
                             f"(batch, {self._rank} spatial axes, channels); received shape {tuple(inputs.shape)}")
        channels_last = self.data_format == "channels_last"
        x = ember.movedim(inputs, -1, 1) if channels_last else inputs
        outputs = _POOLS[self._kind, self._rank](x, self.output_size)
        return ember.movedim(outputs, 1, -1) if channels_last else outputs

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Adaptive average pooling over 1 spatial axis to ``output_size``."""
    _kind, _rank = "average", 1


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Adaptive average pooling over 2 spatial axes to ``output_size``."""
    _kind, _rank = "average", 2


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Adaptive average pooling over 3 spatial axes to ``output_size``."""
    _kind, _rank = "average", 3


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Adaptive max pooling over 1 spatial axis to ``output_size``."""
    _kind, _rank = "max", 1


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Adaptive max pooling over 2 spatial axes to ``output_size``."""
    _kind, _rank = "max", 2


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Adaptive max pooling over 3 spatial axes to ``output_size``."""
    _kind, _rank = "max", 3
