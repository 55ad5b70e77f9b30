"""GroupedQueryAttention (``keras.layers.GroupQueryAttention``): attention with fewer key/value heads.

``num_query_heads`` query heads share ``num_key_value_heads`` key and value
heads, each key/value head serving ``num_query_heads / num_key_value_heads``
query heads (multi-query attention when it is 1). The projections are
:class:`~.einsum_dense.EinsumDense` sub-layers named as in Keras (``query``,
``key``, ``value``, ``attention_output`` and, with ``use_gate``, ``gate``), so
the weights have Keras's shapes and order. ``sliding_window`` limits each
query to keys less than that many positions away.

Example:
    >>> import ember
    >>> from ember import keras
    >>> gqa = keras.layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2)
    >>> x = ember.ones(2, 5, 16)
    >>> gqa(x, x).shape, [w.shape for w in gqa.weights][:4]
    ((2, 5, 16), [(16, 4, 8), (4, 8), (16, 2, 8), (2, 8)])
"""
from __future__ import annotations

import math

import ember
from ember.nn import functional as F

from .. import constraints, initializers, regularizers
from .activation_layers import Softmax
from .einsum_dense import EinsumDense
from .layer import Layer, shape_of


def repeat_heads(x, repeats: int):
    """``(batch, steps, heads, dim)`` with each head repeated ``repeats`` times in place."""
    if repeats == 1:
        return x
    batch, steps, heads, dim = x.shape
    expanded = ember.broadcast_to(ember.unsqueeze(x, 3), (batch, steps, heads, repeats, dim))
    return ember.reshape(expanded, (batch, steps, heads * repeats, dim))


class GroupedQueryAttention(Layer):
    """Grouped-query attention from ``query`` to ``value`` (``key`` defaults to ``value``)."""

    supports_masking = True

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int, dropout: float = 0.0,
                 use_bias: bool = True, sliding_window: int | None = None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate: bool = False, seed: int | None = None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if num_query_heads % num_key_value_heads:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.head_dim, self.num_query_heads, self.num_key_value_heads = head_dim, num_query_heads, num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate, self.seed = dropout, use_bias, use_gate, seed
        self.sliding_window = sliding_window
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def compute_mask(self, inputs, previous_mask):
        return previous_mask

    def build_from_call(self, args, kwargs) -> None:
        value = args[1] if len(args) > 1 else kwargs["value"]
        key = args[2] if len(args) > 2 else kwargs.get("key")
        self.build(shape_of(args[0]), shape_of(value), None if key is None else shape_of(key))
        self.built = True

    def _dense(self, equation: str, heads: int | None, bias_axes: str, name: str, activation=None):
        output_shape = (None, heads, self.head_dim) if heads else (None, self.feature_dim)
        return EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, kernel_initializer=self.kernel_initializer,
                           bias_initializer=self.bias_initializer, kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer, kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint, dtype=self.dtype)

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        # Attribute names and creation order as Keras's (weights order, .keras paths).
        self._query_dense = self._dense("bqm,muh->bquh", self.num_query_heads, "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", self.num_query_heads, "uh", "gate", "sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._dense("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "value")
        self._value_dense.build(value_shape)
        self._softmax = Softmax(axis=-1, dtype=self.dtype)
        self._output_dense = self._dense("bquh,uhm->bqm", None, "m", "attention_output")
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores: bool = False, training: bool = False,
             use_causal_mask: bool = False):
        key = value if key is None else key
        mask = self._attention_mask(query.shape[1], value.shape[1], query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query) * (1.0 / math.sqrt(float(self.head_dim)))
        k = repeat_heads(self._key_dense(key), self.num_repeats)
        v = repeat_heads(self._value_dense(value), self.num_repeats)
        scores = ember.einsum("bquh,bkuh->buqk", q, k)
        if mask is not None:
            mask = ember.unsqueeze(mask, -3) if mask.ndim == 3 else mask  # broadcast over the heads
        scores = self._softmax(scores, mask=mask)
        dropped = F.dropout(scores, self.dropout, training) if self.dropout else scores
        output = ember.einsum("buqk,bkuh->bquh", dropped, v)
        output = self._output_dense(output * gate if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def _attention_mask(self, targets: int, sources: int, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask: bool):
        """One boolean ``(batch or 1, target, source)`` mask, the AND of every source of masking (Keras's)."""
        parts = []
        if query_mask is not None:
            parts.append(ember.unsqueeze(ember.as_tensor(query_mask) != 0, -1))
        for source_mask in (value_mask, key_mask):
            if source_mask is not None:
                parts.append(ember.unsqueeze(ember.as_tensor(source_mask) != 0, -2))
        rows = ember.arange(targets).reshape(targets, 1)
        columns = ember.arange(sources).reshape(1, sources)
        if use_causal_mask:
            parts.append(ember.unsqueeze(rows >= columns, 0))
        if self.sliding_window is not None:
            parts.append(ember.unsqueeze(ember.abs(rows - columns) < self.sliding_window, 0))
        if attention_mask is not None:
            parts.append(ember.as_tensor(attention_mask) != 0)
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = ember.logical_and(mask, part)
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is not None and query_shape[-1] != value_shape[-1]:
            raise ValueError(f"The last dimension of `query_shape` and `value_shape` must be equal, but are "
                             f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, return_attention_scores: bool = False, **kwargs):
        from .symbolic import KerasTensor
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape), self.dtype)
        if not return_attention_scores:
            return output
        sources = (value if key is None else key).shape[1]
        return output, KerasTensor((query.shape[0], self.num_query_heads, query.shape[1], sources), self.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window, "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint), "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention
