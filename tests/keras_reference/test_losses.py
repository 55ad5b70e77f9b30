"""Keras losses against real Keras 3: values (per sample and reduced) and gradients, to 1e-5."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

PROBABILITIES = RNG.uniform(0.05, 0.95, size=(6, 4)).astype("float32")
BINARY = (RNG.uniform(size=(6, 4)) > 0.5).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=6)]
SIGNED = np.where(BINARY > 0, 1.0, -1.0).astype("float32")
LOGITS = RNG.normal(size=(6, 4)).astype("float32")
POSITIVE = RNG.uniform(0.1, 3.0, size=(6, 4)).astype("float32")
COUNTS = RNG.integers(0, 5, size=(6, 4)).astype("float32")

CASES = [
    ("Hinge", {}, BINARY, LOGITS), ("Hinge", {}, SIGNED, LOGITS), ("SquaredHinge", {}, BINARY, LOGITS),
    ("CategoricalHinge", {}, ONE_HOT, LOGITS), ("CosineSimilarity", {}, LOGITS[::-1].copy(), LOGITS),
    ("CosineSimilarity", {"axis": 0}, POSITIVE, LOGITS), ("LogCosh", {}, LOGITS[::-1].copy(), LOGITS),
    ("Poisson", {}, COUNTS, POSITIVE),
    ("BinaryFocalCrossentropy", {}, BINARY, PROBABILITIES),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 1.5, "label_smoothing": 0.1},
     BINARY, PROBABILITIES),
    ("BinaryFocalCrossentropy", {"from_logits": True, "alpha": 0.4}, BINARY, LOGITS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, PROBABILITIES),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "gamma": 1.0, "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    ("Tversky", {}, BINARY, PROBABILITIES), ("Tversky", {"alpha": 0.7, "beta": 0.3, "axis": -1}, BINARY, PROBABILITIES),
    ("Dice", {}, BINARY, PROBABILITIES), ("Dice", {"axis": -1}, BINARY, PROBABILITIES),
]


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("reduction,weighted", [("sum_over_batch_size", False), ("sum", True), ("none", False)])
def test_loss_values_and_gradients(name, kwargs, y_true, y_pred, reduction, weighted):
    if kwargs.get("axis") == 0 and (reduction == "none" or weighted):
        pytest.skip("a per-feature loss has no per-sample values to weight")
    weights = RNG.uniform(0.5, 2.0, size=(y_true.shape[0],)).astype("float32") if weighted else None
    if name in ("Tversky", "Dice") and kwargs.get("axis") is None:
        weights = None  # one value for the whole batch
    keras_loss = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    ember_loss = getattr(ember_keras.losses, name)(reduction=reduction, **kwargs)
    keras_pred = torch.tensor(y_pred, requires_grad=True)
    ember_pred = ember.tensor(y_pred, requires_grad=True)
    expected = keras_loss(torch.tensor(y_true), keras_pred,
                          sample_weight=None if weights is None else torch.tensor(weights))
    actual = ember_loss(ember.tensor(y_true), ember_pred, sample_weight=weights)
    np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), rtol=1e-5, atol=1e-6)
    expected.sum().backward()
    actual.sum().backward()
    np.testing.assert_allclose(as_numpy(ember_pred.grad), as_numpy(keras_pred.grad), rtol=1e-5, atol=1e-6)
    assert set(keras_loss.get_config()) <= set(ember_loss.get_config()) | {"dtype"}


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "categorical_hinge", "poisson", "dice",
                                  "binary_focal_crossentropy", "categorical_focal_crossentropy", "tversky"])
def test_losses_by_name_in_compile(name):
    model = ember_keras.Sequential([ember_keras.Input((4,)), ember_keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss=name)
    history = model.fit(PROBABILITIES, ONE_HOT, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert ember_keras.losses.get(name).__name__ == name
