"""Colour augmentation layers against real Keras 3 on the same random transformations."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras

from .augmentation_harness import compare_augmentation
from .harness import random

L = ember_keras.layers


def _images(value_range=(0, 255), shape=(4, 6, 5, 3)):
    return random(*shape, low=float(value_range[0]), high=float(value_range[1]))


def _both(name, *args, **kwargs):
    return getattr(keras.layers, name)(*args, **kwargs), getattr(L, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("RandomGrayscale", (), {"factor": 0.5}), ("RandomGrayscale", (), {"factor": 1.0}),
    ("RandomInvert", (), {}), ("RandomInvert", (), {"factor": (0.5, 1.0), "value_range": (0, 1)}),
    ("RandomPosterization", ((2, 6),), {}), ("RandomPosterization", (4,), {"value_range": (0, 1)}),
    ("Solarization", (), {"addition_factor": 0.3, "threshold_factor": (0.2, 0.8)}),
    ("Solarization", (), {"threshold_factor": 0.5, "value_range": (-1, 1)}),
    ("AutoContrast", (), {}), ("AutoContrast", (), {"value_range": (0, 1)}),
    ("Equalization", (), {}), ("Equalization", (), {"bins": 32, "value_range": (0, 1)}),
    ("RandomColorDegeneration", (0.7,), {}), ("RandomColorDegeneration", ((0.2, 0.9),), {"value_range": (0, 1)}),
    ("RandomSaturation", (0.6,), {}), ("RandomSaturation", ((0.1, 0.9),), {"value_range": (0, 1)}),
    ("RandomHue", (0.5,), {}), ("RandomHue", ((0.2, 0.8),), {"value_range": (0, 1)}),
    ("RandomSharpness", (0.8,), {}), ("RandomSharpness", ((0.1, 0.3),), {"value_range": (0, 1)}),
    ("RandomGaussianBlur", (), {}), ("RandomGaussianBlur", (), {"factor": 0.6, "kernel_size": 5, "sigma": (0.3, 0.9)}),
])
def test_colour_layer_matches_keras(name, args, kwargs):
    keras_layer, ember_layer = _both(name, *args, seed=3, **kwargs) if name not in (
        "AutoContrast", "Equalization") else _both(name, *args, **kwargs)
    compare_augmentation(keras_layer, ember_layer, _images(kwargs.get("value_range", (0, 255))))


def test_integer_like_images_and_single_images():
    images = np.round(_images()).astype("float32")
    compare_augmentation(*_both("Equalization"), images)
    compare_augmentation(*_both("RandomPosterization", (1, 8), seed=1), images)
    single = L.RandomHue(0.3, seed=1)(ember.tensor(images[0]))
    assert tuple(single.shape) == images[0].shape


def test_random_draws_have_keras_statistics():
    images = ember.full((400, 2, 2, 3), 200.0)
    grey = L.RandomGrayscale(factor=0.3, seed=0)(ember.tensor(_images(shape=(400, 2, 2, 3)))).numpy()
    changed = np.mean(np.all(np.isclose(grey, grey[..., :1]), axis=(1, 2, 3)))
    assert 0.22 < changed < 0.38
    inverted = L.RandomInvert(factor=(1.0, 1.0), seed=0)(images).numpy()
    assert np.all(inverted == 55.0)
    halves = L.RandomInvert(factor=0.5, seed=0)(images).numpy()[:, 0, 0, 0]  # probability ~ U(0, 0.5)
    assert 0.17 < np.mean(halves == 55.0) < 0.33
    bits = L.RandomPosterization((1, 8), seed=0).get_random_transformation(images)["shift_factor"]
    assert set(np.unique(bits)) == set(range(1, 8))  # 8 - U{1..7}, Keras's exclusive upper bound
    hue = L.RandomHue(0.4, seed=0).get_random_transformation(images)["factor"]
    assert np.abs(hue).max() <= 0.2 and (hue < 0).mean() > 0.3 and (hue > 0).mean() > 0.3


def test_bad_arguments():
    with pytest.raises(ValueError, match="between 0 and 1"):
        L.RandomGrayscale(factor=1.5)
    with pytest.raises(ValueError, match="range"):
        L.RandomPosterization(9)
    with pytest.raises(ValueError, match="value_range"):
        L.AutoContrast(value_range=(0, 1, 2))
    with pytest.raises(ValueError, match="odd"):
        L.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="rank 3 or 4"):
        L.RandomHue(0.2)(ember.ones(2, 3))
