"""Inputs of the wrong rank, and damaged .keras files, give Keras-like errors that say what is wrong."""
import json
import os
import zipfile

import numpy as np
import pytest

from ember import keras


def _sequential():
    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])


def _functional():
    inputs = keras.Input(shape=(3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


# --- input rank ---------------------------------------------------------------------
@pytest.mark.parametrize("build", [_sequential, _functional])
@pytest.mark.parametrize("run", ["predict", "call"])
def test_a_one_dimensional_input_is_rejected(build, run):
    model = build()
    x = np.ones(3, dtype="float32")
    with pytest.raises(ValueError, match=r"Invalid input shape.*Expected shape \(None, 3\).*"
                                         r"incompatible shape \(3,\)"):
        model.predict(x, verbose=0) if run == "predict" else model(x)


@pytest.mark.parametrize("build", [_sequential, _functional])
def test_a_trailing_axis_of_one_is_squeezed_as_keras_does(build):
    model = build()
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0), model.predict(x, verbose=0))


def test_a_missing_axis_of_one_is_added_as_keras_does():
    inputs = keras.Input(shape=(3, 1))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    assert model.predict(np.ones((2, 3), dtype="float32"), verbose=0).shape == (2, 3, 2)


def test_real_keras_rejects_a_one_dimensional_input_the_same_way():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    real = pytest.importorskip("keras")
    if real.backend.backend() != "torch":
        pytest.skip("real Keras runs on another backend here")
    model = real.Sequential([real.Input(shape=(3,)), real.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"Invalid input shape.*Expected shape \(None, 3\)"):
        model.predict(np.ones(3, dtype="float32"), verbose=0)
    x = np.ones((2, 3, 1), dtype="float32")
    assert model.predict(x, verbose=0).shape == (2, 2)  # the trailing 1 is squeezed


# --- damaged .keras files -------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.keras"
    _sequential().save(path)
    return path


def _rewrite(path, drop=(), replace=None):
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist() if name not in drop}
    entries.update(replace or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def _load_fails(path, fragment, kind=ValueError):
    with pytest.raises(kind, match=fragment) as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_a_truncated_keras_file(saved):
    saved.write_bytes(saved.read_bytes()[:100])
    _load_fails(saved, "not a valid .keras file.*zip")


def test_an_empty_keras_file(saved):
    saved.write_bytes(b"")
    _load_fails(saved, "not a valid .keras file")


def test_a_keras_file_without_its_config(saved):
    _rewrite(saved, drop=["config.json"])
    _load_fails(saved, "config.json")


def _weights_entry(path):
    """model.weights.h5 (Keras 3's layout, when h5py is installed) or model.weights.safetensors."""
    with zipfile.ZipFile(path) as archive:
        return next(name for name in archive.namelist() if name.startswith("model.weights."))


def test_a_keras_file_without_its_weights(saved):
    _rewrite(saved, drop=[_weights_entry(saved)])
    _load_fails(saved, "holds no model.weights")


def test_a_keras_file_with_a_broken_config(saved):
    _rewrite(saved, replace={"config.json": b'{"class_name": "Sequential", '})
    _load_fails(saved, "config.json is not valid JSON")


def test_a_keras_file_with_a_config_of_the_wrong_shape(saved):
    _rewrite(saved, replace={"config.json": json.dumps({"config": {}}).encode()})
    _load_fails(saved, "config.json")


def test_a_keras_file_with_damaged_weights(saved):
    name = _weights_entry(saved)
    with zipfile.ZipFile(saved) as archive:
        weights = bytearray(archive.read(name))
    weights[-1] ^= 0x01
    _rewrite(saved, replace={name: bytes(weights)})
    _load_fails(saved, f"{name}.*SHA-256", kind=Exception)


def test_a_missing_keras_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "none.keras")


def test_load_weights_from_a_damaged_archive(saved):
    saved.write_bytes(saved.read_bytes()[:100])
    with pytest.raises(ValueError, match="not a valid .keras file") as info:
        _sequential().load_weights(saved)
    assert str(saved) in str(info.value)
