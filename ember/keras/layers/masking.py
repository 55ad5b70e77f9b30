"""Masking: marks the time steps whose features all equal ``mask_value`` as padding.

Later layers that support masking (RNNs, attention, GlobalAveragePooling1D,
merges, elementwise layers) then skip those steps.

Example:
    >>> import ember
    >>> from ember import keras
    >>> from ember.keras.layers import masks
    >>> x = ember.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> y = keras.layers.Masking()(x)
    >>> masks.get_mask(y).tolist()
    [[True, False, True]]
"""
from __future__ import annotations

import ember

from . import masks
from .layer import Layer


class Masking(Layer):
    """Masks steps equal to ``mask_value`` everywhere (and zeroes them, as Keras)."""

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, inputs, previous_mask):
        return ember.any(inputs != self.mask_value, -1)

    def call(self, inputs):
        keep = ember.any(inputs != self.mask_value, -1, keepdim=True)
        outputs = inputs * ember.cast(keep, inputs.dtype)
        masks.set_mask(outputs, ember.squeeze(keep, -1))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
