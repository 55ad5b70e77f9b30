"""Keras's SimpleRNN/LSTM/GRU run as one recurrent primitive: same numbers as real Keras, and the same
numbers and gradients as their step-by-step loop (which a mask still takes)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.ops import recurrent as recurrent_ops

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 5, 3)).astype(np.float32)

LAYERS = {
    "lstm-backwards-states": lambda k: k.layers.LSTM(4, return_sequences=True, return_state=True, go_backwards=True),
    "gru-states": lambda k: k.layers.GRU(4, return_sequences=True, return_state=True),
    "gru-no-bias-backwards": lambda k: k.layers.GRU(4, go_backwards=True, use_bias=False),
    "simple-rnn-relu": lambda k: k.layers.SimpleRNN(4, activation="relu", return_sequences=True),
}


def _as_list(result):
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _randomised(layer, inputs):
    """Build ``layer`` on ``inputs`` and give it weights away from Keras's initial zeros biases."""
    layer(inputs)
    weights = [w + rng.standard_normal(w.shape).astype(np.float32) * 0.3 for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_fused_layer_matches_real_keras(name, monkeypatch):
    keras = pytest.importorskip("keras")
    if keras.config.backend() != "torch":
        pytest.skip("real Keras runs on another backend in this session")
    ours, theirs = LAYERS[name](ek), LAYERS[name](keras)
    weights = _randomised(ours, ember.tensor(X))
    theirs(X)
    theirs.set_weights(weights)
    used = []
    for op in ("lstm_sequence", "gru_sequence", "rnn_sequence"):
        original = getattr(recurrent_ops, op)
        monkeypatch.setattr(recurrent_ops, op, lambda *args, _f=original, _op=op: used.append(_op) or _f(*args))
    for mine, reference in zip(_as_list(ours(ember.tensor(X))), _as_list(theirs(X))):
        np.testing.assert_allclose(mine.detach().numpy(), np.asarray(reference.detach().cpu()), rtol=1e-5, atol=1e-6)
    assert used, "the layer did not take the fused path"


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_fused_layer_gradients_equal_the_step_loop(name):
    layer = LAYERS[name](ek)
    _randomised(layer, ember.tensor(X))
    everywhere = ember.ones(X.shape[:2], dtype=ember.bool)  # a mask (of nothing) takes the step loop

    def gradients(**options):
        x = ember.tensor(X, requires_grad=True)
        results = _as_list(layer(x, **options))
        loss = sum((r * r).sum() for r in results)
        weights = layer.trainable_weights
        return [results[0].detach()] + list(ember.autograd.grad(loss, [x] + weights))

    for fused, looped in zip(gradients(), gradients(mask=everywhere)):
        np.testing.assert_allclose(fused.numpy(), looped.numpy(), rtol=2e-5, atol=1e-6)
