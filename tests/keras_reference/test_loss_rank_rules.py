"""Labels and predictions of different ranks in losses, as real Keras 3 (torch backend) treats them.

Keras's loss objects squeeze or expand a trailing axis of 1 first (``(N, 1)`` labels meet
``(N,)`` predictions as ``(N, 1)`` both); of the bare functions, the regression ones do the
same, the cross-entropies refuse shapes that differ, and the rest broadcast. Each pair below
gives Ember the same shape and values as Keras, or an error where Keras raises one.
"""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

N = 4
PAIRS = {
    "labels(N,1)-pred(N,)": (RNG.integers(0, 2, (N, 1)), RNG.uniform(0.1, 0.9, (N,))),
    "labels(N,)-pred(N,1)": (RNG.integers(0, 2, (N,)), RNG.uniform(0.1, 0.9, (N, 1))),
    "labels(N,)-pred(N,)": (RNG.integers(0, 2, (N,)), RNG.uniform(0.1, 0.9, (N,))),
    "labels(N,2)-pred(N,2)": (RNG.integers(0, 2, (N, 2)), RNG.uniform(0.1, 0.9, (N, 2))),
    "labels(N,1)-pred(N,3)": (RNG.integers(0, 2, (N, 1)), RNG.uniform(0.1, 0.9, (N, 3))),
}
FUNCTIONS = ["binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
             "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity", "hinge",
             "squared_hinge", "kl_divergence", "poisson"]
CLASSES = ["BinaryCrossentropy", "BinaryFocalCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
           "Huber", "LogCosh", "CosineSimilarity", "Hinge", "SquaredHinge", "KLDivergence", "Poisson"]


def _outcome(call):
    try:
        return as_numpy(call())
    except ValueError:
        return "ValueError"


def _assert_same(expected, actual):
    if isinstance(expected, str):
        assert actual == expected
        return
    assert not isinstance(actual, str), f"Ember raised where Keras gave shape {expected.shape}"
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pair", sorted(PAIRS))
@pytest.mark.parametrize("name", FUNCTIONS)
def test_loss_function_ranks_match_keras(name, pair):
    y_true, y_pred = (value.astype("float32") for value in PAIRS[pair])
    expected = _outcome(lambda: getattr(keras.losses, name)(y_true, y_pred))
    actual = _outcome(lambda: getattr(ember_keras.losses, name)(y_true, y_pred).detach())
    _assert_same(expected, actual)


@pytest.mark.parametrize("reduction", [None, "sum_over_batch_size"])
@pytest.mark.parametrize("pair", sorted(PAIRS))
@pytest.mark.parametrize("name", CLASSES)
def test_loss_object_ranks_match_keras(name, pair, reduction):
    y_true, y_pred = (value.astype("float32") for value in PAIRS[pair])
    expected = _outcome(lambda: getattr(keras.losses, name)(reduction=reduction)(y_true, y_pred))
    actual = _outcome(lambda: getattr(ember_keras.losses, name)(reduction=reduction)(y_true, y_pred).detach())
    _assert_same(expected, actual)


def test_binary_crossentropy_error_says_what_to_use():
    with pytest.raises(ValueError, match=r"same shape.*\(4, 1\).*\(4,\).*BinaryCrossentropy\(\)"):
        ember_keras.losses.binary_crossentropy(np.ones((4, 1), "float32"), np.full((4,), 0.5, "float32"))


def test_fit_with_flat_labels_and_a_column_output_matches_keras():
    # compile(loss="binary_crossentropy") wraps the function in a loss object: no error, no broadcast
    x = RNG.normal(size=(8, 3)).astype("float32")
    y = RNG.integers(0, 2, size=(8,)).astype("float32")
    losses = {}
    models = {}
    for name, library in (("keras", keras), ("ember", ember_keras)):
        models[name] = library.Sequential([library.Input((3,)), library.layers.Dense(1, activation="sigmoid")])
    models["ember"].set_weights(models["keras"].get_weights())
    for name, library in (("keras", keras), ("ember", ember_keras)):
        models[name].compile(library.optimizers.SGD(0.1), "binary_crossentropy")
        losses[name] = models[name].fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses["ember"], losses["keras"], rtol=1e-5)
