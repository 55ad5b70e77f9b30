"""Resizing(antialias=True) and Resizing(pad_to_aspect_ratio=True) against real Keras 3 (torch backend)."""
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


@pytest.mark.parametrize("args,kwargs,shape", [
    ((4, 4), {"pad_to_aspect_ratio": True}, (2, 6, 10, 3)), ((6, 3), {"pad_to_aspect_ratio": True}, (2, 8, 8, 1)),
    ((5, 5), {"pad_to_aspect_ratio": True, "fill_value": 2.5}, (1, 7, 4, 2)),
    ((4, 8), {"pad_to_aspect_ratio": True, "antialias": True}, (2, 9, 9, 3)),
])
def test_resizing_pad_to_aspect_ratio(args, kwargs, shape):
    compare_layer(*both("Resizing", *args, **kwargs), random(*shape))


def test_resizing_refuses_what_keras_refuses():
    with pytest.raises(ValueError, match="Only one of"):
        ember_keras.layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="fill_mode"):
        ember_keras.layers.Resizing(2, 2, fill_mode="reflect")
