"""mixed_float16 against real Keras 3: same dtypes reported, same output dtypes, close values."""
import numpy as np
import pytest

import keras

from ember import keras as ember_keras


@pytest.fixture(autouse=True)
def mixed_policy():
    keras.mixed_precision.set_global_policy("mixed_float16")
    ember_keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")
    ember_keras.mixed_precision.set_global_policy("float32")


LAYERS = {"Dense": lambda k: k.layers.Dense(3, activation="tanh"),
          "BatchNormalization": lambda k: k.layers.BatchNormalization(),
          "LayerNormalization": lambda k: k.layers.LayerNormalization(),
          "Softmax": lambda k: k.layers.Softmax(),
          "float32 Activation": lambda k: k.layers.Activation("softmax", dtype="float32")}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_dtypes_and_outputs_match_keras(name):
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    reference, layer = LAYERS[name](keras), LAYERS[name](ember_keras)
    expected = reference(x, training=False)
    layer(x)
    layer.set_weights(reference.get_weights())
    got = layer(x, training=False)
    assert (layer.compute_dtype, layer.variable_dtype) == (reference.compute_dtype, reference.variable_dtype)
    assert str(got.dtype).removeprefix("ember.") == str(expected.dtype).removeprefix("torch.")
    assert [str(w.dtype).removeprefix("ember.") for w in layer.weights] == [w.dtype for w in reference.weights]
    np.testing.assert_allclose(got.detach().numpy().astype("float32"),
                               expected.detach().cpu().numpy().astype("float32"), rtol=2e-3, atol=2e-3)
