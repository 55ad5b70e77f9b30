"""Attention (Luong, dot-product) and AdditiveAttention (Bahdanau), called on ``[query, value(, key)]``.

Scores ``(batch, Tq, Tv)`` are ``query · keyᵀ`` (times a learned ``scale`` with
``use_scale``) or, additively, ``sum(scale * tanh(query + key))``; a softmax
over the values' steps weights the values. ``mask=[query_mask, value_mask]``
(or the masks the inputs carry) hides padded value steps and zeroes padded
query steps; ``use_causal_mask`` hides later steps.

Example:
    >>> import ember
    >>> from ember import keras
    >>> query, value = ember.ones(2, 3, 4), ember.ones(2, 5, 4)
    >>> out, scores = keras.layers.Attention()([query, value], return_attention_scores=True)
    >>> out.shape, scores.shape
    ((2, 3, 4), (2, 3, 5))
    >>> keras.layers.AdditiveAttention()([query, value]).shape
    (2, 3, 4)
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .layer import Layer

_MASK_PENALTY = 1.0e9  # subtracted from masked scores (Keras's value for float32)


class Attention(Layer):
    """Dot-product attention; ``score_mode='concat'`` scores by ``sum(tanh(query + key))``."""

    supports_masking = True

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. "
                             f"Received: score_mode={score_mode}")
        self.use_scale, self.score_mode, self.dropout, self.seed = use_scale, score_mode, dropout, seed
        self._generator = None if seed is None else ember.Generator().manual_seed(seed)

    def build(self, input_shape) -> None:
        _check_inputs(self, input_shape)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale") if self.use_scale else None
        self.concat_score_weight = self.add_weight(shape=(), initializer="ones", name="concat_score_weight") \
            if self.score_mode == "concat" else None

    def scores(self, query, key):
        """``(batch, Tq, Tv)`` attention logits."""
        if self.score_mode == "dot":
            scores = ember.matmul(query, ember.swapaxes(key, -2, -1))
            return scores if self.scale is None else scores * self.scale
        total = ember.unsqueeze(query, -2) + ember.unsqueeze(key, -3)
        if self.scale is not None:
            total = self.scale * total
        return self.concat_score_weight * ember.sum(ember.tanh(total), -1)

    def call(self, inputs, mask=None, training: bool = False, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        _check_inputs(self, inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = (mask[0], mask[1]) if mask else (None, None)
        scores = self.scores(query, key)
        keep = _score_mask(scores, value_mask, use_causal_mask)
        if keep is not None:
            scores = ember.where(keep, scores, scores - _MASK_PENALTY)
        weights = ember.softmax(scores, -1)
        if training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, True, generator=self._generator)
        output = ember.matmul(weights, value)
        if query_mask is not None:
            output = ember.where(ember.unsqueeze(ember.as_tensor(query_mask) != 0, -1), output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, previous_mask):
        return None if not previous_mask or previous_mask[0] is None else previous_mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, return_attention_scores: bool = False, **kwargs):
        from .symbolic import KerasTensor
        output = KerasTensor(self.compute_output_shape([inputs[0].shape, inputs[1].shape]), self.dtype)
        if not return_attention_scores:
            return output
        return output, KerasTensor(tuple(inputs[0].shape[:-1]) + (inputs[1].shape[1],), self.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Bahdanau attention: scores ``sum(scale * tanh(query + key))``, ``scale`` learned per feature."""

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        _check_inputs(self, input_shape)
        self.scale = self.add_weight(shape=(input_shape[0][-1],), initializer="glorot_uniform",
                                     name="scale") if self.use_scale else None

    def scores(self, query, key):
        tanh = ember.tanh(ember.unsqueeze(query, -2) + ember.unsqueeze(key, -3))
        return ember.sum(tanh if self.scale is None else self.scale * tanh, -1)

    def get_config(self) -> dict:
        return {key: value for key, value in super().get_config().items() if key != "score_mode"}


def _check_inputs(layer, inputs, mask=None) -> None:
    name = type(layer).__name__
    if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
        raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                         f"[query, value, key]. Received: inputs={inputs}.")
    if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
        raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                         f"Received: mask={mask}.")


def _score_mask(scores, value_mask, use_causal_mask: bool):
    """Which scores count: the value mask as (batch, 1, Tv), AND the causal triangle."""
    keep = None if value_mask is None else ember.unsqueeze(ember.as_tensor(value_mask) != 0, -2)
    if use_causal_mask:
        causal = ember.tril(ember.ones(scores.shape[-2], scores.shape[-1])) != 0
        keep = causal if keep is None else ember.logical_and(keep, causal)
    return keep
