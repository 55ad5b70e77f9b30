"""A .keras file written by real Keras 3 loads in Ember, and one Ember writes loads in Keras.

Each model is built from the same recipe in one framework, saved, loaded in
the other, and both predict on the same inputs (to 1e-5).
"""
import os
import zipfile

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
import keras  # noqa: E402

from ember import keras as ember_keras  # noqa: E402


def convnet(k):
    inputs = k.Input((8, 8, 3))
    x = k.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = k.layers.BatchNormalization()(x)
    x = k.layers.MaxPooling2D()(x)
    x = k.layers.Flatten()(x)
    x = k.layers.Dropout(0.3)(x)
    x = k.layers.Dense(6, activation="relu")(x)
    x = k.layers.LayerNormalization()(x)
    outputs = k.layers.Dense(3, activation="softmax")(x)
    return k.Model(inputs, outputs)


def recurrent(k):
    return k.Sequential([k.Input((5,), dtype="int32"), k.layers.Embedding(10, 4),
                         k.layers.LSTM(3, return_sequences=True), k.layers.GRU(2), k.layers.Dense(1)])


def two_branches(k):
    inputs = k.Input((6,))
    left = k.layers.Dense(4, activation="tanh")(inputs)
    right = k.layers.Dense(4, use_bias=False)(inputs)
    merged = k.layers.Concatenate()([left, right])
    return k.Model(inputs, k.layers.Dense(2)(merged))


def sequential_conv(k):
    return k.Sequential([k.Input((6, 6, 2)), k.layers.Conv2D(3, 2, padding="same"),
                         k.layers.BatchNormalization(), k.layers.Flatten(), k.layers.Dense(2)])


def wrappers(k):
    return k.Sequential([k.Input((5, 4)), k.layers.TimeDistributed(k.layers.Dense(3)),
                         k.layers.Bidirectional(k.layers.LSTM(2, return_sequences=True)),
                         k.layers.Bidirectional(k.layers.GRU(2, return_sequences=True)), k.layers.SimpleRNN(2)])


def nested(k):
    inner = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="relu")], name="inner")
    inputs = k.Input((4,))
    return k.Model(inputs, k.layers.Dense(2)(inner(inputs)))


RECIPES = {"convnet": (convnet, (4, 8, 8, 3)), "recurrent": (recurrent, (4, 5)),
           "two_branches": (two_branches, (4, 6)), "sequential_conv": (sequential_conv, (4, 6, 6, 2)),
           "wrappers": (wrappers, (3, 5, 4)), "nested": (nested, (3, 4))}


def inputs_for(name, shape):
    rng = np.random.default_rng(1)
    if name == "recurrent":
        return rng.integers(0, 10, size=shape).astype("int32")
    return rng.normal(size=shape).astype("float32")


def perturb_batchnorm_statistics(model, layers_of):
    """Non-trivial moving statistics, so that loading them is actually checked."""
    for layer in layers_of(model):
        if type(layer).__name__ == "BatchNormalization":
            weights = layer.get_weights()
            rng = np.random.default_rng(2)
            layer.set_weights([w + rng.uniform(0.1, 0.5, size=w.shape).astype("float32") for w in weights])


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_keras_file_loads_in_ember(name, tmp_path):
    recipe, shape = RECIPES[name]
    model = recipe(keras)
    perturb_batchnorm_statistics(model, lambda m: m.layers)
    path = str(tmp_path / "model.keras")
    model.save(path)
    x = inputs_for(name, shape)
    restored = ember_keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert restored.count_params() == model.count_params()


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_ember_file_loads_in_keras(name, tmp_path):
    recipe, shape = RECIPES[name]
    model = recipe(ember_keras)
    perturb_batchnorm_statistics(model, lambda m: m.layers)
    path = str(tmp_path / "model.keras")
    model.save(path)
    assert "model.weights.h5" in zipfile.ZipFile(path).namelist()
    x = inputs_for(name, shape)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert restored.count_params() == model.count_params()


def test_ember_file_round_trips_in_ember(tmp_path):
    model = convnet(ember_keras)
    path = str(tmp_path / "model.keras")
    model.save(path)
    x = inputs_for("convnet", (2, 8, 8, 3))
    restored = ember_keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@keras.saving.register_keras_serializable(package="KerasOnly")
class KerasOnlyScale(keras.layers.Layer):
    """A layer class only real Keras knows (Ember has every built-in layer the tests used before)."""

    def call(self, inputs):
        return inputs * 2.0


def test_layer_ember_lacks_is_named(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), KerasOnlyScale()])
    path = str(tmp_path / "model.keras")
    model.save(path)
    with pytest.raises(ValueError, match="KerasOnlyScale"):
        ember_keras.models.load_model(path)


def test_weights_file_of_other_architecture_is_refused(tmp_path):
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]).save(str(tmp_path / "small.keras"))
    other = ember_keras.Sequential([ember_keras.Input((4,)), ember_keras.layers.Dense(5)])
    with pytest.raises(ValueError, match="shape"):
        other.load_weights(str(tmp_path / "small.keras"))


def test_without_h5py_ember_writes_safetensors_and_names_h5py_for_keras_files(tmp_path, monkeypatch):
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]).save(str(tmp_path / "from_keras.keras"))
    monkeypatch.setitem(__import__("sys").modules, "h5py", None)  # as if h5py were not installed
    model = ember_keras.Sequential([ember_keras.Input((4,)), ember_keras.layers.Dense(3)])
    model.save(str(tmp_path / "own.keras"))
    assert "model.weights.safetensors" in zipfile.ZipFile(tmp_path / "own.keras").namelist()
    x = np.ones((2, 4), "float32")
    restored = ember_keras.models.load_model(str(tmp_path / "own.keras"))
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(ImportError, match="pip install h5py"):
        ember_keras.models.load_model(str(tmp_path / "from_keras.keras"))


def test_compiled_models_move_both_ways_with_their_compile_settings(tmp_path):
    x = np.random.default_rng(3).normal(size=(8, 4)).astype("float32")
    y = x[:, :1] * 2.0
    for source, target in ((keras, ember_keras), (ember_keras, keras)):
        model = source.Sequential([source.Input((4,)), source.layers.Dense(3, activation="relu"),
                                   source.layers.Dense(1)])
        model.compile(optimizer=source.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        model.fit(x, y, epochs=1, verbose=0)
        path = str(tmp_path / f"from_{source.__name__.replace('.', '_')}.keras")
        model.save(path)
        restored = target.models.load_model(path)
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
        assert type(restored.optimizer).__name__ == "Adam"
        assert float(np.asarray(restored.optimizer.learning_rate)) == pytest.approx(0.01)
        restored.fit(x, y, epochs=1, verbose=0)  # trains on after loading


def test_weights_h5_files_move_both_ways(tmp_path):
    x = inputs_for("convnet", (2, 8, 8, 3))
    reference, model = convnet(keras), convnet(ember_keras)
    reference.save_weights(str(tmp_path / "keras.weights.h5"))
    model.load_weights(str(tmp_path / "keras.weights.h5"))
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    other, back = convnet(ember_keras), convnet(keras)
    other.save_weights(str(tmp_path / "ember.weights.h5"))
    back.load_weights(str(tmp_path / "ember.weights.h5"))
    np.testing.assert_allclose(back.predict(x, verbose=0), other.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
