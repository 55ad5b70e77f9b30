"""model.save / load_model, save_weights / load_weights: a reloaded model predicts the same values."""
import json
import zipfile

import numpy as np
import pytest

from ember import keras

layers = keras.layers


def trained_classifier():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.BatchNormalization(),
                              layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    model.fit(x, (x[:, 0] > 0).astype("int64"), epochs=2, verbose=0)
    return model, x


def test_save_and_load_sequential_round_trip(tmp_path):
    model, x = trained_classifier()
    path = tmp_path / "classifier.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        # Keras 3's HDF5 weights when h5py is installed (so real Keras reads the file), else safetensors
        assert set(archive.namelist()) in ({"config.json", "metadata.json", "model.weights.h5"},
                                           {"config.json", "metadata.json", "model.weights.safetensors"})
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential" and config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)  # moving statistics included
    assert restored.compiled and type(restored.optimizer).__name__ == "Adam"
    assert restored.optimizer.learning_rate == pytest.approx(0.01)
    restored.fit(x, (x[:, 0] > 0).astype("int64"), epochs=1, verbose=0)  # trains on


def test_save_and_load_functional_round_trip(tmp_path):
    inputs = keras.Input(shape=(6,), name="features")
    shared = layers.Dense(4, activation="relu", name="shared")
    left, right = shared(inputs), shared(layers.Lambda(keras.activations.relu, name="rectify")(inputs))
    outputs = [layers.Dense(1, name="score")(layers.Add()([left, right])), layers.Dense(2, name="kind")(left)]
    model = keras.Model(inputs, outputs, name="two_heads")
    path = tmp_path / "functional.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    x = np.random.default_rng(1).normal(size=(5, 6)).astype("float32")
    for got, expected in zip(restored.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert restored.name == "two_heads" and not restored.compiled


def test_lambda_with_a_python_lambda_needs_safe_mode_off(tmp_path):
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Lambda(lambda t: t * 3.0)])
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)
    restored = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(restored.predict(np.ones((1, 2), "float32"), verbose=0), [[3.0, 3.0]])


def test_subclassed_model_weights_round_trip(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(5, activation="tanh")
            self.out = layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    x = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")
    model, clone = Net(), Net()
    model(x)
    path = tmp_path / "net.weights.safetensors"
    model.save_weights(path)
    clone.build((None, 3))
    clone.load_weights(path)
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="Could not locate class"):
        model.save(tmp_path / "net.keras") or keras.models.load_model(tmp_path / "net.keras")


def test_custom_layer_registered_for_loading(tmp_path):
    @keras.saving.register_keras_serializable(package="Tests")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input(shape=(2,)), Scale(5.0)])
    model.save(tmp_path / "custom.keras")
    restored = keras.models.load_model(tmp_path / "custom.keras")
    np.testing.assert_allclose(restored.predict(np.ones((1, 2), "float32"), verbose=0), [[5.0, 5.0]])


def test_weights_load_by_position_into_renamed_layers(tmp_path):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    other = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, name="renamed")])
    other.load_weights(path)
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    wrong = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2), layers.Dense(1)])
    with pytest.raises(ValueError, match="same architecture"):
        wrong.load_weights(path)
    with pytest.raises(ValueError, match=".keras"):
        model.save(tmp_path / "model.h5")
