"""MultiHeadAttention with Keras's weight layout (per-head projection kernels).

Weights, in Keras's order: query kernel ``(dim_q, heads, key_dim)`` and bias
``(heads, key_dim)``; the same for key and value (``value_dim``); output kernel
``(heads, value_dim, dim_out)`` and bias ``(dim_out,)``. Scores are
``softmax(q · k / sqrt(key_dim))`` over the keys, masked where
``attention_mask`` is 0 (or above the diagonal with ``use_causal_mask``).

Example:
    >>> import ember
    >>> from ember import keras
    >>> mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=16)
    >>> x = ember.ones(3, 5, 32)
    >>> out, scores = mha(x, x, return_attention_scores=True)
    >>> out.shape, scores.shape, mha.count_params()
    ((3, 5, 32), (3, 2, 5, 5), 4224)
"""
from __future__ import annotations

import math

import ember
from ember.nn import functional as F

from .. import initializers, regularizers
from .layer import Layer, shape_of

_LARGE_NEGATIVE = -1e9  # Keras's additive mask value for float32


class MultiHeadAttention(Layer):
    """Attention from ``query`` to ``value`` (and ``key``, which defaults to ``value``).

    Masks carried by ``query``/``value``/``key`` (``Embedding(mask_zero=True)``)
    combine with ``attention_mask`` and ``use_causal_mask``; the output carries the
    query's mask.
    """

    supports_masking = True

    def compute_mask(self, inputs, previous_mask):
        return previous_mask

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape=None, attention_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed: int | None = None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if attention_axes is not None:
            raise NotImplementedError("MultiHeadAttention(attention_axes=...) is not supported")
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout, self.use_bias, self.seed = dropout, use_bias, seed
        self._output_dim = output_shape if output_shape is None or isinstance(output_shape, int) \
            else tuple(output_shape)[-1]
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build_from_call(self, args, kwargs) -> None:
        query = args[0]
        value = args[1] if len(args) > 1 else kwargs["value"]
        key = args[2] if len(args) > 2 else kwargs.get("key")
        self.build(shape_of(query), shape_of(value), None if key is None else shape_of(key))
        self.built = True

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = key_shape or value_shape
        heads = self.num_heads
        self._projection("query", query_shape[-1], (heads, self.key_dim))
        self._projection("key", key_shape[-1], (heads, self.key_dim))
        self._projection("value", value_shape[-1], (heads, self.value_dim))
        output_dim = self._output_dim or query_shape[-1]
        self.attention_output_kernel = self._weight("attention_output_kernel", (heads, self.value_dim, output_dim))
        self.attention_output_bias = self._bias("attention_output_bias", (output_dim,))

    def _projection(self, name: str, input_dim: int, head_shape: tuple) -> None:
        setattr(self, f"{name}_kernel", self._weight(f"{name}_kernel", (input_dim,) + head_shape))
        setattr(self, f"{name}_bias", self._bias(f"{name}_bias", head_shape))

    def _weight(self, name: str, shape: tuple):
        return self.add_weight(shape=shape, initializer=self.kernel_initializer,
                               regularizer=self.kernel_regularizer, name=name)

    def _bias(self, name: str, shape: tuple):
        if not self.use_bias:
            return None
        return self.add_weight(shape=shape, initializer=self.bias_initializer,
                               regularizer=self.bias_regularizer, name=name)

    def _project(self, x, name: str):
        projected = ember.einsum("btd,dhk->bthk", x, getattr(self, f"{name}_kernel"))
        bias = getattr(self, f"{name}_bias")
        return projected if bias is None else projected + bias

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores: bool = False, training: bool = False,
             use_causal_mask: bool = False):
        key = value if key is None else key
        q = self._project(query, "query") * (1.0 / math.sqrt(self.key_dim))
        k, v = self._project(key, "key"), self._project(value, "value")
        scores = ember.einsum("bshk,bthk->bhts", k, q)  # (batch, heads, target, source)
        mask = self._mask(attention_mask, use_causal_mask, query.shape[1], key.shape[1],
                          query_mask, value_mask, key_mask if key_mask is not None and key is not value else None)
        if mask is not None:
            scores = ember.where(mask, scores, _LARGE_NEGATIVE)
        probabilities = ember.softmax(scores, -1)  # a fully masked row comes out uniform, as in Keras
        dropped = F.dropout(probabilities, self.dropout, training) if self.dropout else probabilities
        attended = ember.einsum("bhts,bshk->bthk", dropped, v)
        output = ember.einsum("bthk,hkd->btd", attended, self.attention_output_kernel)
        if self.attention_output_bias is not None:
            output = output + self.attention_output_bias
        return (output, probabilities) if return_attention_scores else output

    @staticmethod
    def _mask(attention_mask, use_causal_mask: bool, targets: int, sources: int, query_mask=None,
              value_mask=None, key_mask=None):
        """One boolean (batch, 1, target, source) mask from every source of masking (Keras's AND)."""
        parts = []
        if query_mask is not None:
            parts.append(ember.unsqueeze(ember.as_tensor(query_mask) != 0, -1))  # (batch, target, 1)
        for source_mask in (value_mask, key_mask):
            if source_mask is not None:
                parts.append(ember.unsqueeze(ember.as_tensor(source_mask) != 0, -2))  # (batch, 1, source)
        if use_causal_mask:
            parts.append(ember.tril(ember.ones(targets, sources)) != 0)
        if attention_mask is not None:
            parts.append(ember.as_tensor(attention_mask) != 0)
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = ember.logical_and(mask, part)
        return ember.unsqueeze(mask, 1) if mask.ndim == 3 else mask  # broadcast over heads

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return tuple(query_shape[:-1]) + (self._output_dim or query_shape[-1],)

    def compute_output_spec(self, query, value, key=None, return_attention_scores: bool = False, **kwargs):
        from .symbolic import KerasTensor
        output = KerasTensor(self.compute_output_shape(query.shape), self.dtype)
        if not return_attention_scores:
            return output
        scores = KerasTensor((query.shape[0], self.num_heads, query.shape[1], value.shape[1]), self.dtype)
        return output, scores

    def get_config(self) -> dict:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self._output_dim, "seed": self.seed,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}
