"""Bidirectional and TimeDistributed against real Keras 3 (same weights, inputs, masks)."""
import numpy as np
import pytest

import keras
from ember import keras as ember_keras

from .harness import compare_layer, random

MASK = np.array([[True, True, True, False, False], [True, True, True, True, True], [True, False, False, False, False]])


def _bidirectional(rnn, merge_mode="concat", **options):
    return (lambda: keras.layers.Bidirectional(getattr(keras.layers, rnn)(3, **options), merge_mode=merge_mode),
            lambda: ember_keras.layers.Bidirectional(getattr(ember_keras.layers, rnn)(3, **options),
                                                     merge_mode=merge_mode))


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("merge_mode,options", [
    ("concat", {}), ("concat", {"return_sequences": True}), ("sum", {"return_sequences": True}),
    ("ave", {}), ("mul", {}), (None, {"return_sequences": True}), ("concat", {"return_state": True}),
])
def test_bidirectional(rnn, merge_mode, options):
    compare_layer(*_bidirectional(rnn, merge_mode, **options), random(3, 5, 2))


@pytest.mark.parametrize("options", [{}, {"return_sequences": True}])
def test_bidirectional_with_mask(options):
    compare_layer(*_bidirectional("LSTM", **options), random(3, 5, 2), call_kwargs={"mask": MASK})


@pytest.mark.parametrize("inner,shape", [
    (lambda layers: layers.Dense(4, activation="relu"), (2, 5, 3)),
    (lambda layers: layers.Conv2D(2, 3, padding="same"), (2, 3, 6, 6, 2)),
    (lambda layers: layers.Flatten(), (2, 3, 4, 2)),
])
def test_time_distributed(inner, shape):
    compare_layer(lambda: keras.layers.TimeDistributed(inner(keras.layers)),
                  lambda: ember_keras.layers.TimeDistributed(inner(ember_keras.layers)), random(*shape),
                  atol=2e-5)


def test_bidirectional_lstm_classifier_with_masking_trains():
    # The acceptance program's shape: Embedding(mask_zero) -> Bidirectional(LSTM) -> Dense, trained by fit.
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 20, size=(32, 7))
    ids[::2, 4:] = 0
    labels = (ids[:, 0] > 10).astype("float32")[:, None]
    model = ember_keras.Sequential([ember_keras.Input((7,)), ember_keras.layers.Embedding(20, 8, mask_zero=True),
                                    ember_keras.layers.Bidirectional(ember_keras.layers.LSTM(4)),
                                    ember_keras.layers.Dense(1, activation="sigmoid")])
    reference = keras.Sequential([keras.Input((7,)), keras.layers.Embedding(20, 8, mask_zero=True),
                                  keras.layers.Bidirectional(keras.layers.LSTM(4)),
                                  keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights(reference.get_weights())
    np.testing.assert_allclose(model.predict(ids, verbose=0), reference.predict(ids, verbose=0), atol=1e-5)
    assert model.count_params() == reference.count_params()
    for library_model in (model, reference):
        library_model.compile(optimizer="sgd", loss="binary_crossentropy")
    losses = model.fit(ids, labels, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    expected = reference.fit(ids, labels, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, expected, rtol=1e-4)
