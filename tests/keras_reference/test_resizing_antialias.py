"""Resizing(antialias=True) against real Keras 3 (torch backend: PyTorch's antialiased interpolate)."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

from .harness import both, compare_layer, random


@pytest.mark.parametrize("args,kwargs,shape", [
    ((4, 5), {}, (2, 16, 20, 3)), ((3, 7), {}, (2, 11, 9, 1)), ((12, 10), {}, (2, 6, 5, 2)),
    ((5, 5), {"interpolation": "nearest"}, (2, 13, 9, 3)), ((4, 4), {"crop_to_aspect_ratio": True}, (2, 10, 16, 2)),
    ((6, 3), {}, (17, 9, 2)),
])
def test_resizing_antialias(args, kwargs, shape):
    compare_layer(*both("Resizing", *args, antialias=True, **kwargs), random(*shape), check_shape=len(shape) == 4)


def test_antialias_averages_when_shrinking():
    stripes = np.tile(np.array([0.0, 1.0], "float32"), 8)[None, None, :, None].repeat(4, 1)  # (1, 4, 16, 1)
    smooth = ember_keras.layers.Resizing(4, 4, antialias=True)(ember.tensor(stripes)).numpy()
    np.testing.assert_allclose(smooth, 0.5, atol=0.07)  # the average grey, not stripes picked apart
    config = ember_keras.layers.Resizing(4, 4, antialias=True).get_config()
    assert config["antialias"] is True
