"""Keras ``fit``/``evaluate``/``predict`` place the model and batches on the GPU when one is available.

Keras 3 on torch creates variables on its default device (``cuda`` when torch sees a GPU)
and moves every batch there; ``KERAS_TORCH_DEVICE`` or ``with keras.device("cpu")`` force
another. CI has no GPU: a stand-in device (NumPy behind a distinct array type,
tests/helpers/standin.py) is registered under the type ``'cuda'``, so ``ember.cuda.is_available()``
is true and any array left on the host, or made outside the tensor's namespace, fails loudly.
"""
from __future__ import annotations

import contextlib

import numpy
import pytest

import ember
from ember import backend, keras
from ember.keras import placement
from tests.helpers.standin import StandinArray, standin


@contextlib.contextmanager
def simulated_gpu():
    """'cuda' backed by the stand-in namespace for the block (the real loader returns after)."""
    backend.register(backend.DeviceBackend("cuda", standin, StandinArray, to_numpy=lambda a: a.inner.copy(),
                                           from_numpy=lambda a, index=None: standin.asarray(numpy.array(a)),
                                           index_of=lambda a: 0))
    try:
        yield
    finally:
        backend.unregister("cuda")


RNG = numpy.random.default_rng(0)
X = RNG.standard_normal((24, 3)).astype("float32")
Y = (X @ numpy.array([[1.0], [-2.0], [0.5]], "float32") > 0).astype("float32")


def _model():
    ember.manual_seed(0)
    keras.backend.clear_session()
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _run(model, run_eagerly=False):
    model.run_eagerly = run_eagerly
    history = model.fit(X, Y, batch_size=8, epochs=2, verbose=0, validation_data=(X[:8], Y[:8]))
    return history.history, model.evaluate(X, Y, verbose=0), model.predict(X, batch_size=8, verbose=0)


def _array_types(model):
    return {type(weight._data) for weight in model.weights}


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["compiled", "eager"])
def test_fit_evaluate_predict_run_on_the_gpu_when_one_is_available(run_eagerly):
    expected = _run(_model(), run_eagerly)
    with simulated_gpu():
        assert ember.cuda.is_available() and placement.get_device() == "cuda"
        model = _model()
        history, evaluated, predicted = _run(model, run_eagerly)
        assert _array_types(model) == {StandinArray}, "the weights stayed on the host"
        optimizer_state = [v for slots in model.optimizer.state.values() for v in slots.values()
                           if isinstance(v, ember.Tensor)]
        assert optimizer_state and {type(v._data) for v in optimizer_state} == {StandinArray}
    assert type(predicted) is numpy.ndarray
    numpy.testing.assert_allclose(predicted, expected[2], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(evaluated, expected[1], rtol=1e-5)
    for name, values in expected[0].items():
        numpy.testing.assert_allclose(history[name], values, rtol=1e-5, err_msg=name)


def test_a_model_built_on_the_cpu_moves_to_the_gpu_at_fit():
    model = _model()
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)  # built and trained on the host first
    with simulated_gpu():
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        assert _array_types(model) == {StandinArray}
        assert model.predict(X[:4], verbose=0).shape == (4, 1)


@pytest.mark.parametrize("force", ["scope", "environment"])
def test_cpu_can_be_forced_as_keras_allows(force, monkeypatch):
    with simulated_gpu():
        model = _model()
        if force == "environment":
            monkeypatch.setenv("KERAS_TORCH_DEVICE", "cpu")  # Keras 3's torch backend reads this
            model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        else:
            with keras.device("cpu"):
                assert placement.get_device() == "cpu"
                model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        assert _array_types(model) == {numpy.ndarray}


def test_device_scope_spells_gpus_as_keras_does():
    with simulated_gpu():
        with keras.device("gpu:0"):
            assert placement.get_device() == "cuda:0"
            model = _model()
            model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        assert _array_types(model) == {StandinArray}
    with pytest.raises(ValueError, match="Expected a string like 'gpu:0' or 'cpu'"):
        with keras.device(0):
            pass


def test_without_a_gpu_everything_stays_on_the_cpu():
    assert not ember.cuda.is_available() and placement.get_device() == "cpu"
    model = _model()
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    assert _array_types(model) == {numpy.ndarray}
