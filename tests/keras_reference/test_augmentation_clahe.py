"""ContrastLimitedAdaptiveHistogramEqualization against real Keras 3 (deterministic: outputs compared directly)."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .augmentation_harness import check_inference_and_config
from .harness import as_numpy, random


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (2, 16, 16, 3)), ({"tile_grid_size": (3, 2)}, (2, 10, 7, 1)), ({"clip_limit": 0.0}, (1, 9, 12, 2)),
    ({"clip_limit": 1.5, "tile_grid_size": (2, 4), "value_range": (0, 1)}, (2, 8, 8, 3)),
])
def test_clahe_matches_keras(kwargs, shape):
    value_range = kwargs.get("value_range", (0, 255))
    images = random(*shape, low=float(value_range[0]), high=float(value_range[1]))
    keras_layer = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    ember_layer = ember_keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    expected = as_numpy(keras_layer(torch.tensor(images)))
    actual = ember_layer(ember.tensor(images)).numpy()
    scale = value_range[1] - value_range[0]
    np.testing.assert_allclose(actual, expected, atol=1e-3 * scale, rtol=1e-5)
    check_inference_and_config(keras_layer, ember_layer, images)


def test_clahe_raises_contrast_of_a_dull_image():
    dull = np.full((1, 16, 16, 1), 100.0, "float32") + random(1, 16, 16, 1, low=0.0, high=10.0)
    out = ember_keras.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))(dull).numpy()
    assert out.std() > 4 * dull.std()  # contrast-limited: stretched, but not to the full range
