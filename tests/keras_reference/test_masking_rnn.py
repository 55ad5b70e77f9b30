"""Masks (Embedding(mask_zero), Masking, mask=) through RNNs, pooling and attention; stateful RNNs.

Each is compared with real Keras 3 on the same weights and inputs.
"""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras
from ember.keras.layers import masks

import keras

from .harness import as_numpy, both, compare_layer, random

IDS = np.array([[3, 5, 2, 0, 0], [1, 4, 4, 7, 2], [6, 0, 0, 0, 0]])
STEP_MASK = IDS != 0


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_state": True},
                                     {"return_sequences": True, "zero_output_for_mask": True},
                                     {"go_backwards": True}])
def test_rnns_skip_masked_steps(name, options):
    compare_layer(*both(name, 4, **options), random(3, 5, 2), call_kwargs={"mask": STEP_MASK})


def _chain(library, layers_and_inputs):
    """Run ``[(layer, extra_inputs)...]`` one after another in ``library`` (each sees the previous output)."""
    value = None
    for layer, arguments in layers_and_inputs:
        value = layer(arguments(value))
    return value


def _copy_weights(keras_layers, ember_layers):
    for keras_layer, ember_layer in zip(keras_layers, ember_layers):
        ember_layer.set_weights(keras_layer.get_weights())


def _run_both(make_layers, feed):
    """Build each library's layers by running ``feed`` once, copy the weights, run again, return outputs."""
    keras_layers, ember_layers = make_layers(keras.layers), make_layers(ember_keras.layers)
    feed(keras_layers, torch.tensor)
    feed(ember_layers, ember.tensor)
    _copy_weights(keras_layers, ember_layers)
    return feed(keras_layers, torch.tensor), feed(ember_layers, ember.tensor), ember_layers


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
def test_embedding_mask_zero_reaches_the_rnn(rnn):
    def make(layers):
        return [layers.Embedding(8, 3, mask_zero=True), getattr(layers, rnn)(4, return_sequences=True),
                getattr(layers, rnn)(2)]

    def feed(layers, tensor):
        hidden = layers[1](layers[0](tensor(IDS)))
        return [hidden, layers[2](hidden)]

    expected, actual, ember_layers = _run_both(make, feed)
    for e, a in zip(expected, actual):
        np.testing.assert_allclose(as_numpy(a), as_numpy(e), atol=1e-5)
    assert masks.get_mask(actual[0]).tolist() == STEP_MASK.tolist()  # return_sequences passes the mask on
    assert masks.get_mask(actual[1]) is None


def test_masking_layer_then_gru_then_pooling():
    x = random(3, 5, 2)
    x[0, 3:] = 0.0
    x[2, 1:] = 0.0

    def make(layers):
        return [layers.Masking(), layers.GRU(4, return_sequences=True), layers.GlobalAveragePooling1D()]

    def feed(layers, tensor):
        return [layers[2](layers[1](layers[0](tensor(x))))]

    expected, actual, _ = _run_both(make, feed)
    np.testing.assert_allclose(as_numpy(actual[0]), as_numpy(expected[0]), atol=1e-5)


def test_global_average_pooling_uses_the_mask():
    compare_layer(*both("GlobalAveragePooling1D"), random(3, 5, 4), call_kwargs={"mask": STEP_MASK})


@pytest.mark.parametrize("kwargs,call", [
    ({}, {}), ({"use_scale": True}, {}), ({"score_mode": "concat"}, {}),
    ({"use_scale": True, "score_mode": "concat"}, {"use_causal_mask": True}),
    ({}, {"mask": [STEP_MASK[:, :4], STEP_MASK]}), ({}, {"return_attention_scores": True}),
])
def test_attention(kwargs, call):
    inputs = [random(3, 4, 6), random(3, 5, 6)]
    weights = [np.float32(1.7)] * (kwargs.get("use_scale", False) + (kwargs.get("score_mode") == "concat"))
    compare_layer(*both("Attention", **kwargs), inputs, call_kwargs=call, weights_from=weights or None)


@pytest.mark.parametrize("kwargs,call", [({}, {}), ({"use_scale": False}, {}),
                                         ({}, {"mask": [None, STEP_MASK]}),
                                         ({}, {"use_causal_mask": True})])
def test_additive_attention(kwargs, call):
    compare_layer(*both("AdditiveAttention", **kwargs), [random(3, 5, 6), random(3, 5, 6), random(3, 5, 6)],
                  call_kwargs=call)


@pytest.mark.parametrize("attention", ["Attention", "MultiHeadAttention"])
def test_attention_takes_masks_from_embeddings(attention):
    def make(layers):
        layer = layers.Attention() if attention == "Attention" else layers.MultiHeadAttention(2, 3)
        return [layers.Embedding(8, 4, mask_zero=True), layer, layers.GlobalAveragePooling1D()]

    def feed(layers, tensor):
        embedded = layers[0](tensor(IDS))
        attended = layers[1]([embedded, embedded]) if attention == "Attention" else layers[1](embedded, embedded)
        return [attended, layers[2](attended)]

    expected, actual, _ = _run_both(make, feed)
    for e, a in zip(expected, actual):
        np.testing.assert_allclose(as_numpy(a), as_numpy(e), atol=1e-5)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_stateful_rnn_carries_states_between_calls(name):
    chunks = [random(2, 3, 4) for _ in range(3)]

    def make(layers):
        return [getattr(layers, name)(5, stateful=True, return_sequences=True)]

    def feed(layers, tensor):
        layers[0].reset_states()
        return [layers[0](tensor(chunk)) for chunk in chunks]

    expected, actual, ember_layers = _run_both(make, feed)
    for e, a in zip(expected, actual):
        np.testing.assert_allclose(as_numpy(a), as_numpy(e), atol=1e-5)
    assert not np.allclose(as_numpy(actual[0]), as_numpy(actual[1]))
    layer = ember_layers[0]
    assert len(layer.weights) == (3 if name != "GRU" else 3) and layer.states is not None
    layer.reset_states()
    assert all(not np.any(as_numpy(state)) for state in layer.states)
    np.testing.assert_allclose(as_numpy(layer(ember.tensor(chunks[0]))), as_numpy(expected[0]), atol=1e-5)
    with pytest.raises(ValueError, match="batch size"):
        layer(ember.ones(3, 3, 4))
    with pytest.raises(ValueError, match="static"):
        getattr(ember_keras.layers, name)(5, stateful=True)(ember_keras.Input((3, 4)))


def test_stateful_rnn_trains_with_fit():
    model = ember_keras.Sequential([ember_keras.Input(batch_shape=(4, 3, 2)),
                                    ember_keras.layers.LSTM(3, stateful=True), ember_keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = random(8, 3, 2), random(8, 1)
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    state = as_numpy(model.layers[0].states[0]).copy()
    assert np.any(state)
    model.layers[0].reset_states()
    assert not np.any(as_numpy(model.layers[0].states[0]))


def test_wrong_mask_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="mask must have shape"):
        ember_keras.layers.LSTM(2)(ember.ones(2, 5, 3), mask=ember.ones(2, 4))


@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_uses_the_mask_in_training(training):
    keras_layer, ember_layer, _, _ = compare_layer(
        *both("BatchNormalization", momentum=0.5), random(3, 5, 4) * 3 + 1, grads=training,
        call_kwargs={"mask": STEP_MASK, "training": training},
        config_exempt={"renorm", "renorm_clipping", "renorm_momentum", "synchronized"})
    for expected, actual in zip(keras_layer.get_weights(), ember_layer.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)  # moving statistics too


@pytest.mark.parametrize("options", [{}, {"return_sequences": True}])
def test_rnn_over_stacked_cells(options):
    def make(library):
        return lambda: library.layers.RNN([library.layers.LSTMCell(3), library.layers.GRUCell(2),
                                           library.layers.SimpleRNNCell(4)], **options)
    compare_layer(make(keras), make(ember_keras), random(3, 5, 2), call_kwargs={"mask": STEP_MASK})
