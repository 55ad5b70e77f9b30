"""MixUp, CutMix and RandomErasing against real Keras 3 on the same random transformations."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .augmentation_harness import _structure, _to_numpy, compare_augmentation
from .harness import as_numpy, random

L = ember_keras.layers


@pytest.mark.parametrize("name,kwargs", [
    ("MixUp", {}), ("MixUp", {"alpha": 0.8}), ("CutMix", {}), ("CutMix", {"factor": (0.3, 0.6)}),
    ("RandomErasing", {}), ("RandomErasing", {"factor": 0.7, "scale": (0.1, 0.5), "fill_value": 30.0}),
    ("RandomErasing", {"fill_value": (10.0, 20.0, 300.0), "value_range": (0, 255)}),
])
def test_mixing_layer_matches_keras(name, kwargs):
    keras_layer = getattr(keras.layers, name)(seed=2, **kwargs)
    ember_layer = getattr(L, name)(seed=2, **kwargs)
    images = random(5, 7, 6, 3, low=0.0, high=255.0)
    compare_augmentation(keras_layer, ember_layer, images)


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_labels_mix_with_the_images(name):
    keras_layer, ember_layer = getattr(keras.layers, name)(seed=1), getattr(L, name)(seed=1)
    images, labels = random(6, 5, 5, 3), np.eye(4, dtype="float32")[[0, 1, 2, 3, 0, 1]]
    transformation = keras_layer.get_random_transformation(torch.tensor(images), training=True)
    expected = as_numpy(keras_layer.transform_labels(torch.tensor(labels), transformation))
    actual = ember_layer.transform_labels(ember.tensor(labels), _structure(_to_numpy, transformation)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-6)
    mixed = ember_layer({"images": images, "labels": labels})
    assert tuple(mixed["images"].shape) == images.shape
    np.testing.assert_allclose(mixed["labels"].numpy().sum(1), labels.sum(1), rtol=1e-5)  # still distributions


def test_draws_follow_keras_distributions():
    images = ember.zeros(2000, 4, 4, 1)
    weights = L.MixUp(alpha=0.5, seed=0).get_random_transformation(images)["mix_weight"]
    assert abs(weights.mean() - 0.5) < 0.03 and abs(weights.var() - 0.125) < 0.01  # Beta(0.5, 0.5)
    erased = L.RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=1.0, seed=0)(images).numpy()
    assert np.all(erased.max(axis=(1, 2, 3)) == 1.0)  # every image erased: probability 1
    area = erased.mean(axis=(1, 2, 3))
    assert 0.05 < area.mean() < 0.45
    cut = L.CutMix(seed=0).get_random_transformation(ember.zeros(500, 8, 8, 1))
    assert np.all(cut["mix_weight"] >= 0) and np.all(cut["mix_weight"] <= 1)
