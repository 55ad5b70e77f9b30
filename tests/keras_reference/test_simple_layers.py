"""Activation, merge, reshaping and normalization layers against real Keras 3 (same weights and inputs)."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras
import torch

from .harness import both, compare_layer, random


@pytest.mark.parametrize("name,kwargs", [
    ("ReLU", {}), ("ReLU", {"max_value": 1.0}), ("ReLU", {"negative_slope": 0.1, "threshold": 0.3}),
    ("ReLU", {"negative_slope": 0.2, "max_value": 0.8}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.05}),
    ("ELU", {}), ("ELU", {"alpha": 0.5}), ("Softmax", {}), ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": (1, 2)}), ("Identity", {}), ("UnitNormalization", {}),
    ("UnitNormalization", {"axis": (1, 2)}),
])
def test_elementwise_layers(name, kwargs):
    compare_layer(*both(name, **kwargs), random(3, 4, 5))


@pytest.mark.parametrize("kwargs", [{}, {"shared_axes": [1, 2]}, {"alpha_initializer": "ones"}])
def test_prelu(kwargs):
    alpha_shape = (1, 1, 3) if kwargs.get("shared_axes") else (4, 5, 3)
    compare_layer(*both("PReLU", **kwargs), random(2, 4, 5, 3), weights_from=[random(*alpha_shape)])


def test_softmax_with_mask():
    mask = np.array([[True, True, False, True], [False, False, False, False]])
    _, _, _, ember_out = compare_layer(*both("Softmax"), random(2, 4), call_kwargs={"mask": mask})
    assert np.all(np.asarray(ember_out.detach())[1] == 0)  # a fully masked row is all zeros


@pytest.mark.parametrize("name", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"])
def test_elementwise_merges(name):
    compare_layer(*both(name), [random(3, 4), random(3, 4)])


@pytest.mark.parametrize("axes,normalize,shapes", [
    (1, False, [(3, 4), (3, 4)]), (-1, True, [(3, 4), (3, 4)]), (2, False, [(2, 3, 4), (2, 5, 4)]),
    ((1, 1), False, [(2, 3, 4), (2, 3, 5)]), ((2, 1), True, [(2, 3, 4), (2, 4, 5)]),
])
def test_dot(axes, normalize, shapes):
    compare_layer(*both("Dot", axes=axes, normalize=normalize), [random(*shape) for shape in shapes])


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Permute", ((2, 1),), {}, (2, 3, 4)), ("Permute", ((3, 1, 2),), {}, (2, 3, 4, 5)),
    ("RepeatVector", (3,), {}, (2, 4)),
    ("ZeroPadding1D", (), {}, (2, 3, 4)), ("ZeroPadding1D", ((1, 3),), {}, (2, 3, 4)),
    ("ZeroPadding2D", (), {}, (2, 3, 4, 2)), ("ZeroPadding2D", ((1, 2),), {}, (2, 3, 4, 2)),
    ("ZeroPadding2D", (((1, 0), (2, 3)),), {}, (2, 3, 4, 2)),
    ("Cropping1D", (), {}, (2, 5, 3)), ("Cropping1D", ((2, 1),), {}, (2, 5, 3)),
    ("Cropping2D", (), {}, (2, 5, 6, 3)), ("Cropping2D", (((1, 2), (0, 3)),), {}, (2, 5, 6, 3)),
    ("Cropping2D", (1,), {}, (2, 5, 6, 3)),
    ("UpSampling1D", (), {}, (2, 3, 4)), ("UpSampling1D", (3,), {}, (2, 3, 4)),
    ("UpSampling2D", (), {}, (2, 3, 4, 2)), ("UpSampling2D", ((2, 3),), {}, (2, 3, 4, 2)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bilinear"}, (2, 3, 4, 2)),
])
def test_reshaping_layers(name, args, kwargs, shape):
    compare_layer(*both(name, *args, **kwargs), random(*shape))


@pytest.mark.parametrize("kwargs,shape", [
    ({"groups": 2}, (2, 5, 4)), ({"groups": 4}, (2, 3, 3, 8)), ({"groups": -1}, (2, 6, 3)),
    ({"groups": 1, "center": False}, (3, 4, 6)), ({"groups": 2, "axis": 1}, (2, 4, 3)),
])
def test_group_normalization(kwargs, shape):
    channels = shape[kwargs.get("axis", -1)]
    weights = [random(channels) + 1.0] + ([random(channels)] if kwargs.get("center", True) else [])
    compare_layer(*both("GroupNormalization", **kwargs), random(*shape), weights_from=weights)


@pytest.mark.parametrize("name,args,shape", [
    ("SpatialDropout1D", (0.5,), (4, 6, 8)), ("SpatialDropout2D", (0.5,), (4, 3, 3, 8)),
    ("GaussianNoise", (0.5,), (4, 6, 8)), ("GaussianDropout", (0.3,), (4, 6, 8)),
    ("Dropout", (0.5,), (4, 6, 8)),
])
def test_noise_layers_are_identity_at_inference(name, args, shape):
    # Random draws differ between libraries; at inference both are the identity.
    compare_layer(*both(name, *args, seed=3), random(*shape))


def test_noise_layers_in_training():
    x = ember.ones(64, 10, 16)
    dropped = ember_keras.layers.SpatialDropout1D(0.5, seed=1)(x, training=True).numpy()
    assert np.all(dropped == dropped[:, :1])  # one decision per (sample, channel)
    assert set(np.unique(dropped)) == {0.0, 2.0} and 0.4 < (dropped == 0).mean() < 0.6
    images = ember_keras.layers.SpatialDropout2D(0.25, seed=1)(ember.ones(32, 3, 3, 8), training=True).numpy()
    assert np.all(images == images[:, :1, :1]) and 0.15 < (images == 0).mean() < 0.35
    noisy = ember_keras.layers.GaussianNoise(0.5, seed=2)(x, training=True).numpy() - 1.0
    assert abs(noisy.mean()) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    scaled = ember_keras.layers.GaussianDropout(0.2, seed=2)(x, training=True).numpy()
    assert abs(scaled.mean() - 1.0) < 0.02 and abs(scaled.std() - 0.5) < 0.02  # sqrt(0.2 / 0.8)
    shaped = ember_keras.layers.Dropout(0.5, noise_shape=(None, 1, 16), seed=0)(x, training=True).numpy()
    assert np.all(shaped == shaped[:, :1])


def test_bad_arguments_raise_like_keras():
    with pytest.raises(ValueError, match="consecutive"):
        ember_keras.layers.Permute((0, 1))
    with pytest.raises(ValueError, match="groups"):
        ember_keras.layers.GroupNormalization(groups=3)(ember.ones(2, 4))
    with pytest.raises(ValueError, match="exactly 2"):
        ember_keras.layers.Dot(1)([ember.ones(2, 3)] * 3)
    with pytest.raises(ValueError, match="broadcastable"):
        ember_keras.layers.Softmax()(ember.ones(2, 3), mask=ember.ones(2, 4))


@pytest.mark.parametrize("name", ["subtract", "multiply", "average", "maximum", "minimum", "dot"])
def test_functional_merge_forms(name):
    a, b = random(3, 4), random(3, 4)
    kwargs = {"axes": 1} if name == "dot" else {}
    expected = getattr(keras.layers, name)([torch.tensor(a), torch.tensor(b)], **kwargs)
    actual = getattr(ember_keras.layers, name)([ember.tensor(a), ember.tensor(b)], **kwargs)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name,args,kwargs", [
    ("ZeroPadding3D", (), {}), ("ZeroPadding3D", (((1, 0), (0, 2), (1, 1)),), {}), ("Cropping3D", (), {}),
    ("Cropping3D", (((0, 1), (1, 0), (1, 2)),), {}), ("UpSampling3D", ((1, 2, 3),), {}),
    ("MaxPooling3D", (), {}), ("AveragePooling3D", (2,), {"strides": 1}),
    ("MaxPooling3D", (2,), {"padding": "same"}),
    ("GlobalAveragePooling3D", (), {}), ("GlobalMaxPooling3D", (), {"keepdims": True}),
])
def test_3d_layers(name, args, kwargs):
    compare_layer(*both(name, *args, **kwargs), random(2, 4, 5, 6, 2))


def test_average_pooling_3d_same_padding_on_odd_sizes():
    # Keras's torch backend shifts 'same' average windows on even sizes; TensorFlow (and Ember) pad after.
    compare_layer(*both("AveragePooling3D", 3, strides=2, padding="same"), random(2, 5, 5, 3, 2))
