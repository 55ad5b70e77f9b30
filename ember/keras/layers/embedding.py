"""Embedding: integer ids → dense vectors, with Keras's ``uniform(-0.05, 0.05)`` initializer.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.Embedding(1000, 64)
    >>> layer(ember.tensor([[4, 20, 7]])).shape, layer.count_params()
    ((1, 3, 64), 64000)
    >>> masked = keras.layers.Embedding(10, 4, mask_zero=True)
    >>> masked.compute_mask(ember.tensor([[3, 1, 0]]), None).tolist()
    [[True, True, False]]
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .. import constraints, initializers, regularizers
from .layer import Layer


class Embedding(Layer):
    """A lookup table of ``input_dim`` rows of size ``output_dim`` (``embeddings``)."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero: bool = False,
                 input_length: int | None = None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs:  # Keras 2's argument
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.mask_zero = self.supports_masking = mask_zero
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, name="embeddings")

    def call(self, inputs):
        if inputs.is_floating_point():  # NumPy batches of ids often arrive as floats
            inputs = ember.cast(inputs, ember.int64)
        return F.embedding(inputs, self.embeddings)

    def compute_mask(self, inputs, previous_mask):
        """With ``mask_zero``, id 0 is padding: the mask is ``inputs != 0``."""
        return inputs != 0 if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero}
