"""Callbacks (BackupAndRestore, TerminateOnNaN), constraints, regularizer aliases and utils against real Keras 3."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy, random


def _model(library, seed_weights=None):
    model = library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="relu"),
                                library.layers.Dense(1)])
    if seed_weights is not None:
        model.set_weights(seed_weights)
    model.compile(optimizer=library.optimizers.Adam(0.01), loss="mse")
    return model


class _Interrupt(ember_keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


@pytest.mark.parametrize("save_freq", ["epoch", 2])
def test_backup_and_restore_resumes_as_if_never_interrupted(tmp_path, save_freq):
    x, y = random(24, 3), random(24, 1)
    start = _model(keras).get_weights()
    uninterrupted = _model(ember_keras, start)
    uninterrupted.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)

    resumed = _model(ember_keras, start)
    backup = ember_keras.callbacks.BackupAndRestore(tmp_path / "backup", save_freq=save_freq)
    with pytest.raises(KeyboardInterrupt):
        resumed.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[backup, _Interrupt()])
    assert (tmp_path / "backup").exists()
    resumed = _model(ember_keras, start)  # a fresh process would rebuild the model like this
    history = resumed.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[backup])
    if save_freq != "epoch":  # a mid-epoch backup restarts its epoch (as Keras does), so no exact replay
        assert history.epoch == [1, 2, 3] and not (tmp_path / "backup").exists()
        return
    assert history.epoch == [2, 3]
    for expected, actual in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)
    assert not (tmp_path / "backup").exists()  # a finished fit deletes its backup


def test_terminate_on_nan_stops_like_keras():
    x = random(16, 3)
    y = np.full((16, 1), np.nan, dtype="float32")
    epochs_run = []
    for library in (keras, ember_keras):
        model = _model(library)
        history = model.fit(x, y, batch_size=4, epochs=3, verbose=0,
                            callbacks=[library.callbacks.TerminateOnNaN()])
        epochs_run.append(len(history.history["loss"]))
    assert epochs_run[0] == epochs_run[1] == 1


@pytest.mark.parametrize("name,kwargs", [("MaxNorm", {"max_value": 1.5}), ("MaxNorm", {"axis": 1}),
                                         ("NonNeg", {}), ("UnitNorm", {}), ("UnitNorm", {"axis": 1}),
                                         ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0, "rate": 0.7})])
def test_constraints_match_keras(name, kwargs):
    weight = random(4, 3) * 2.0
    expected = getattr(keras.constraints, name)(**kwargs)(torch.tensor(weight))
    constraint = getattr(ember_keras.constraints, name)(**kwargs)
    np.testing.assert_allclose(as_numpy(constraint(ember.tensor(weight))), as_numpy(expected), rtol=1e-6, atol=1e-7)
    assert constraint.get_config() == getattr(keras.constraints, name)(**kwargs).get_config()
    assert type(ember_keras.constraints.get(ember_keras.constraints.serialize(constraint))) is type(constraint)


def test_constraints_apply_after_each_step_in_fit():
    x, y = random(32, 3), random(32, 2)
    models = []
    for library in (keras, ember_keras):
        model = library.Sequential([library.Input((3,)), library.layers.Dense(
            2, kernel_constraint=library.constraints.MaxNorm(0.3), bias_constraint=library.constraints.NonNeg())])
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for expected, actual in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert np.all(np.linalg.norm(models[1].get_weights()[0], axis=0) <= 0.3 + 1e-6)
    assert "kernel_constraint" in models[1].layers[0].get_config()


def test_regularizer_aliases():
    for name in ("l1", "l2", "l1_l2"):
        ours, theirs = getattr(ember_keras.regularizers, name)(), getattr(keras.regularizers, name)()
        weight = random(3, 3)
        np.testing.assert_allclose(float(ours(ember.tensor(weight))), float(theirs(torch.tensor(weight))), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 2}, {"maxlen": 4, "padding": "post"},
                                    {"maxlen": 2, "truncating": "post", "value": -1},
                                    {"dtype": "float32", "padding": "post"}])
def test_pad_sequences_matches_keras(kwargs):
    sequences = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
    np.testing.assert_array_equal(ember_keras.utils.pad_sequences(sequences, **kwargs),
                                  keras.utils.pad_sequences(sequences, **kwargs))
    assert ember_keras.utils.pad_sequences(sequences, **kwargs).dtype == \
        keras.utils.pad_sequences(sequences, **kwargs).dtype


@pytest.mark.parametrize("axis,order", [(-1, 2), (1, 2), (-1, 1)])  # Keras's axis=0 is broken
def test_normalize_matches_keras(axis, order):
    x = random(4, 3)
    x[1] = 0.0
    np.testing.assert_allclose(ember_keras.utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order),
                               rtol=1e-6)


def test_set_random_seed_makes_weights_repeatable():
    ember_keras.utils.set_random_seed(7)
    first = ember_keras.layers.Dense(3)(ember.ones(1, 2))
    ember_keras.utils.set_random_seed(7)
    second = ember_keras.layers.Dense(3)(ember.ones(1, 2))
    np.testing.assert_array_equal(as_numpy(first), as_numpy(second))
    assert RNG is not None
