"""RMSNormalization: ``x / sqrt(mean(x²) + epsilon) * scale`` over one axis or several.

Unlike LayerNormalization it neither centres the inputs nor adds an offset;
it is the normalization of most recent transformer language models. The
``scale`` weight has the shape of the normalized axes (ones at first).

Example:
    >>> import ember
    >>> from ember import keras
    >>> norm = keras.layers.RMSNormalization()
    >>> norm(ember.tensor([[3.0, -3.0]])).tolist(), [w.shape for w in norm.weights]
    ([[0.9999999403953552, -0.9999999403953552]], [(2,)])
"""
from __future__ import annotations

import ember

from .layer import Layer


class RMSNormalization(Layer):
    """Divides by the root mean square over ``axis`` (an int or a list), then multiplies by ``scale``."""
    _mixed_precision_safe = False  # float32 statistics under mixed_float16

    def __init__(self, axis=-1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, epsilon

    def _axes(self, rank: int) -> list:
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(f"RMSNormalization {self.name!r}: axis {axis} is out of bounds for inputs of "
                                 f"rank {rank}. Received: axis={self.axis}")
        return sorted(axes)

    def build(self, input_shape) -> None:
        # Keras keeps the axes as a sorted list once built (get_config shows it so).
        self.axis = self._axes(len(input_shape))
        self.scale = self.add_weight(shape=tuple(input_shape[axis] for axis in self.axis), initializer="ones",
                                     name="scale")

    def call(self, inputs):
        axes = tuple(axis % inputs.ndim for axis in self.axis)
        value = inputs if inputs.is_floating_point() else ember.cast(inputs, ember.float32)
        mean_square = ember.mean(value * value, axes, keepdim=True)
        scale = ember.reshape(self.scale, tuple(inputs.shape[a] if a in axes else 1 for a in range(inputs.ndim)))
        return value * ember.rsqrt(mean_square + self.epsilon) * scale

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape))
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
