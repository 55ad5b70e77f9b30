"""``keras.Model.export(path, format="onnx")``: onnxruntime agrees with ``model.predict``."""
from __future__ import annotations

import numpy as np
import onnxruntime
import pytest

import ember
from ember import keras

TOLERANCE = dict(rtol=1e-5, atol=1e-5)


def small_sequential() -> keras.Model:
    ember.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 6)).astype("float32")
    model.fit(x, np.eye(3, dtype="float32")[np.arange(32) % 3], epochs=1, verbose=0)  # weights off their init
    return model


def run_onnx(path, *inputs) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {arg.name: value for arg, value in zip(session.get_inputs(), inputs)}
    return session.run(None, feeds)[0]


@pytest.mark.parametrize("batch", [1, 5])
def test_sequential_export_matches_predict_at_any_batch(tmp_path, batch):
    model, path = small_sequential(), tmp_path / "model.onnx"
    model.export(path)
    x = np.random.default_rng(batch).normal(size=(batch, 6)).astype("float32")
    np.testing.assert_allclose(run_onnx(path, x), model.predict(x, verbose=0), **TOLERANCE)


def test_functional_model_with_two_inputs_exports(tmp_path):
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(2,), name="right")
    joined = keras.layers.concatenate([keras.layers.Dense(3)(left), right])
    model, path = keras.Model([left, right], keras.layers.Dense(1)(joined)), tmp_path / "two.onnx"
    model.export(path)
    for batch in (1, 3):
        a = np.random.default_rng(batch).normal(size=(batch, 4)).astype("float32")
        b = np.full((batch, 2), 0.5, "float32")
        np.testing.assert_allclose(run_onnx(path, a, b), model.predict([a, b], verbose=0), **TOLERANCE)


def test_explicit_signature_and_options_pass_through(tmp_path):
    model, path = small_sequential(), tmp_path / "fixed.onnx"
    proto = model.export(path, input_signature=ember.TensorSpec((2, 6), ember.float32), opset_version=13)
    assert proto.opset_import[0].version == 13
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 2


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="format='onnx'"):
        small_sequential().export(tmp_path / "model", format="tf_saved_model")


def test_an_unbuilt_subclassed_model_asks_for_a_signature(tmp_path):
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(ValueError, match="input_signature"):
        Tiny().export(tmp_path / "tiny.onnx")


def test_ember_onnx_export_takes_a_two_input_keras_model_directly(tmp_path):
    """ember.onnx.export passes inputs as separate arguments; a Keras model gets them as one list."""
    left, right = keras.Input(shape=(4,)), keras.Input(shape=(2,))
    model = keras.Model([left, right], keras.layers.Dense(1)(keras.layers.concatenate([left, right])))
    path = tmp_path / "two.onnx"
    ember.onnx.export(model, (ember.TensorSpec((None, 4), ember.float32),
                              ember.TensorSpec((None, 2), ember.float32)), str(path))
    a = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    b = np.random.default_rng(1).normal(size=(3, 2)).astype("float32")
    np.testing.assert_allclose(run_onnx(path, a, b), model.predict([a, b], verbose=0), rtol=1e-5, atol=1e-6)
