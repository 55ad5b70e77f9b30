"""Layers first built inside ember.function create real weights, usable eagerly afterwards."""
import numpy as np
import pytest

import ember
from ember import keras

LAYERS = {
    "Dense": (lambda: keras.layers.Dense(3), (2, 4), "float32"),
    "LSTM": (lambda: keras.layers.LSTM(2), (2, 4, 1), "float32"),
    "GRU": (lambda: keras.layers.GRU(2), (2, 4, 1), "float32"),
    "Conv1D": (lambda: keras.layers.Conv1D(2, 2), (2, 4, 1), "float32"),
    "BatchNormalization": (lambda: keras.layers.BatchNormalization(), (2, 4), "float32"),
    "Embedding": (lambda: keras.layers.Embedding(10, 3), (2, 4), "int64"),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_a_layer_built_while_tracing_trains_eagerly_afterwards(name):
    make, shape, dtype = LAYERS[name]
    layer = make()
    x = ember.tensor(np.arange(np.prod(shape)).reshape(shape) % 7, dtype=getattr(ember, dtype))

    @ember.function
    def traced(inputs):
        return layer(inputs).sum()

    compiled = traced(x)
    for weight in layer.weights:
        assert isinstance(weight._data, np.ndarray), f"{name}: a weight holds {type(weight._data)}"
    loss = layer(x).sum()
    np.testing.assert_allclose(float(loss), float(compiled), rtol=1e-5)
    loss.backward()
    assert all(weight.grad is not None for weight in layer.trainable_weights)
    np.testing.assert_allclose(float(traced(x)), float(loss), rtol=1e-5)  # the graph still runs


def test_a_model_first_called_in_a_traced_step_fits_eagerly():
    model = keras.Sequential([keras.layers.LSTM(3), keras.layers.Dense(1)])
    x = ember.tensor(np.linspace(0, 1, 24, dtype=np.float32).reshape(4, 6, 1))
    ember.function(lambda inputs: model(inputs).sum())(x)
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    history = model.fit(x.numpy(), np.ones((4, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
