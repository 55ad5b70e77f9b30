"""Compare an Ember image augmentation layer with real Keras's on the same random transformation.

Keras's layers split each call into ``get_random_transformation`` and
``transform_images``; Ember's do too. ``compare_augmentation`` draws one
transformation with Keras's layer, hands the same values to both layers'
``transform_images`` and compares the images, then checks inference
(the identity, as floats), ``get_config`` keys and a ``from_config`` rebuild.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

from .harness import as_numpy

KERAS_ONLY_KEYS = {"bounding_box_format"}  # bounding boxes are outside Ember's image layers


def _structure(function, value):
    if isinstance(value, dict):
        return {key: _structure(function, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_structure(function, item) for item in value)
    return function(value)


def _to_numpy(value):
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value


def compare_augmentation(keras_layer, ember_layer, images: np.ndarray, *, atol=1e-4, rtol=1e-5,
                         transformation=None):
    """Same transformation, same images: equal outputs; returns (keras output, ember output) as arrays."""
    torch_images = torch.tensor(images)
    if transformation is None:
        transformation = keras_layer.get_random_transformation(torch_images, training=True)
    numpy_transformation = _structure(_to_numpy, transformation)
    keras_out = as_numpy(keras_layer.transform_images(torch_images, transformation, training=True))
    ember_out = as_numpy(ember_layer.transform_images(ember.tensor(images), numpy_transformation, training=True))
    assert ember_out.shape == keras_out.shape
    np.testing.assert_allclose(ember_out, keras_out, atol=atol, rtol=rtol)
    check_inference_and_config(keras_layer, ember_layer, images)
    return keras_out, ember_out


def check_inference_and_config(keras_layer, ember_layer, images: np.ndarray) -> None:
    expected = as_numpy(keras_layer(torch.tensor(images), training=False))
    actual = as_numpy(ember_layer(ember.tensor(images), training=False))
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-5)
    missing = set(keras_layer.get_config()) - set(ember_layer.get_config()) - KERAS_ONLY_KEYS
    assert not missing, f"get_config() lacks Keras's keys {sorted(missing)}"
    rebuilt = type(ember_layer).from_config(ember_layer.get_config())
    assert rebuilt.get_config() == ember_layer.get_config()
    trained = as_numpy(ember_layer(ember.tensor(images), training=True))
    assert trained.shape == expected.shape and trained.dtype == expected.dtype
