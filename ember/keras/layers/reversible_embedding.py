"""ReversibleEmbedding: an Embedding that also maps vectors back to logits over its vocabulary.

``layer(ids)`` embeds as :class:`~.embedding.Embedding` does;
``layer(vectors, reverse=True)`` returns ``vectors @ embeddings.T`` (tied
weights, the default) or ``vectors @ reverse_embeddings`` (a separate
``(output_dim, input_dim)`` weight with ``tie_weights=False``), optionally
soft-capped as ``tanh(logits / cap) * cap``: the input and output layers of a
language model in one.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.ReversibleEmbedding(100, 16)
    >>> vectors = layer(ember.tensor([[1, 2, 3]]))
    >>> vectors.shape, layer(vectors, reverse=True).shape
    ((1, 3, 16), (1, 3, 100))
"""
from __future__ import annotations

import ember

from .. import regularizers
from .embedding import Embedding


class ReversibleEmbedding(Embedding):
    """Embedding with a ``reverse=True`` call computing logits over the vocabulary."""

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero: bool = False,
                 reverse_dtype=None, logit_soft_cap: float | None = None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        self.tie_weights, self.reverse_dtype, self.logit_soft_cap = tie_weights, reverse_dtype, logit_soft_cap

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer,
                                                      name="reverse_embeddings")

    def call(self, inputs, reverse: bool = False):
        if not reverse:
            return super().call(inputs)
        kernel = ember.t(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs = ember.cast(inputs, ember.as_dtype(self.reverse_dtype))
            kernel = ember.cast(kernel, ember.as_dtype(self.reverse_dtype))
        logits = ember.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ember.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, previous_mask):
        # A reverse call's output carries no mask; a forward call's is the Embedding's.
        if inputs.is_floating_point():
            return None
        return super().compute_mask(inputs, previous_mask)

    def compute_output_shape(self, input_shape, reverse: bool = False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse: bool = False):
        from .symbolic import KerasTensor
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse), self.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
