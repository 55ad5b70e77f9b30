"""RandomShear, RandomPerspective and RandomColorJitter against real Keras 3."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .augmentation_harness import check_inference_and_config, compare_augmentation
from .harness import as_numpy, random

L = ember_keras.layers


@pytest.mark.parametrize("kwargs", [
    {"x_factor": 0.3}, {"y_factor": (0.1, 0.4), "fill_mode": "constant", "fill_value": 9.0},
    {"x_factor": 0.5, "y_factor": 0.2, "interpolation": "nearest", "fill_mode": "wrap"},
    {"x_factor": (0.2, 0.6), "fill_mode": "nearest"},
])
def test_random_shear(kwargs):
    compare_augmentation(keras.layers.RandomShear(seed=4, **kwargs), L.RandomShear(seed=4, **kwargs),
                         random(3, 7, 9, 2, low=0.0, high=255.0))


@pytest.mark.parametrize("kwargs", [{}, {"factor": 0.5, "scale": 0.6, "fill_value": 3.0},
                                    {"scale": 0.3, "interpolation": "nearest"}])
def test_random_perspective(kwargs):
    compare_augmentation(keras.layers.RandomPerspective(seed=4, **kwargs), L.RandomPerspective(seed=4, **kwargs),
                         random(3, 8, 7, 2, low=0.0, high=255.0), atol=2e-3)


def test_color_jitter_deterministic_factors_match_keras():
    # Fixed factors (lower = upper) make brightness and saturation deterministic in both libraries.
    images = random(3, 5, 6, 3, low=0.0, high=255.0)
    kwargs = {"brightness_factor": (0.1, 0.1), "saturation_factor": (0.3, 0.3)}
    keras_layer, ember_layer = keras.layers.RandomColorJitter(**kwargs), L.RandomColorJitter(**kwargs)
    expected = as_numpy(keras_layer(torch.tensor(images), training=True))
    np.testing.assert_allclose(ember_layer(ember.tensor(images)).numpy(), expected, rtol=1e-5, atol=1e-3)
    check_inference_and_config(keras_layer, ember_layer, images)


def test_color_jitter_statistics():
    images = ember.full((200, 4, 4, 3), 100.0)
    bright = L.RandomColorJitter(brightness_factor=0.2, seed=0)(images).numpy()[:, 0, 0, 0]
    assert bright.min() >= 100 - 0.2 * 255 - 1e-3 and bright.max() <= 100 + 0.2 * 255 + 1e-3 and bright.std() > 10
    grey = L.RandomColorJitter(contrast_factor=0.5, hue_factor=0.3, seed=0)(images).numpy()
    np.testing.assert_allclose(grey, 100.0, atol=1e-3)  # a flat grey image has no contrast and no hue to change
