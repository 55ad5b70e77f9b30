"""Preprocessing layers against real Keras 3: numeric ones, resizing and cropping, the affine transform
under the augmentation layers, and augmentation being active in training only."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras
from ember.keras.layers.image_transform import affine_transform

import keras

from .harness import RNG, as_numpy, both, compare_layer, random


def test_rescaling():
    compare_layer(*both("Rescaling", 1 / 255.0, offset=-0.5), random(2, 4, 4, 3) * 255)


@pytest.mark.parametrize("axis,shape", [(-1, (40, 3)), (-1, (20, 4, 4, 2)), ((1, 2), (20, 3, 4)), (None, (30, 5))])
def test_normalization_adapt_matches_keras(axis, shape):
    data = RNG.normal(2.0, 3.0, size=shape).astype("float32")
    keras_layer, ember_layer = keras.layers.Normalization(axis=axis), ember_keras.layers.Normalization(axis=axis)
    keras_layer.adapt(data)
    ember_layer.adapt(data)
    for expected, actual in zip(keras_layer.get_weights(), ember_layer.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    sample = data[:5]
    np.testing.assert_allclose(as_numpy(ember_layer(sample)), as_numpy(keras_layer(torch.tensor(sample))),
                               rtol=1e-5, atol=1e-5)
    inverse = ember_keras.layers.Normalization(axis=axis, invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(as_numpy(inverse(ember_layer(sample))), sample, rtol=1e-5, atol=1e-4)
    assert set(keras_layer.get_config()) <= set(ember_layer.get_config())


def test_normalization_with_given_statistics_and_errors():
    compare_layer(*both("Normalization", mean=[1.0, 2.0], variance=[4.0, 9.0]), random(3, 2), grads=False)
    with pytest.raises(ValueError, match="adapt"):
        ember_keras.layers.Normalization()(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        ember_keras.layers.Normalization(mean=1.0)


@pytest.mark.parametrize("kwargs", [{"bin_boundaries": [0.0, 1.0, 2.5]},
                                    {"bin_boundaries": [-1.0, 0.0], "output_mode": "one_hot"},
                                    {"bin_boundaries": [-1.0, 0.0, 1.0], "output_mode": "multi_hot"},
                                    {"bin_boundaries": [0.0], "output_mode": "count"}])
def test_discretization(kwargs):
    values = (random(4, 3) * 2).round(1)
    values[0, 0] = 1.0  # on a boundary
    shape = (4,) if kwargs.get("output_mode") == "one_hot" else (4, 3)
    x = values[:, 0] if kwargs.get("output_mode") == "one_hot" else values
    expected = keras.layers.Discretization(**kwargs)(torch.tensor(x))
    layer = ember_keras.layers.Discretization(**kwargs)
    np.testing.assert_array_equal(as_numpy(layer(x)), as_numpy(expected))
    assert layer.compute_output_shape(shape) == keras.layers.Discretization(**kwargs).compute_output_shape(shape)


def test_discretization_adapt_quantiles():
    layer = ember_keras.layers.Discretization(num_bins=4)
    layer.adapt(np.arange(100, dtype="float32"))
    np.testing.assert_allclose(layer.bin_boundaries, [24.75, 49.5, 74.25])
    assert as_numpy(layer(np.array([[10.0, 60.0, 99.0]]))).tolist() == [[0, 2, 3]]


@pytest.mark.parametrize("mode,ids", [("one_hot", [3, 0, 1]), ("one_hot", [[3], [0]]), ("multi_hot", [[0, 1], [3, 3]]),
                                      ("count", [[0, 1, 1], [3, 3, 2]])])
def test_category_encoding(mode, ids):
    ids = np.array(ids)
    expected = keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)(torch.tensor(ids))
    layer = ember_keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)
    np.testing.assert_array_equal(as_numpy(layer(ids)), as_numpy(expected))
    assert layer.compute_output_shape(ids.shape) == tuple(expected.shape)
    with pytest.raises(ValueError, match="num_tokens"):
        layer(np.array([[4]]))


def test_category_encoding_count_weights():
    ids, weights = np.array([[0, 1, 1]]), np.array([[0.5, 1.0, 2.0]], "float32")
    expected = keras.layers.CategoryEncoding(4, "count")(torch.tensor(ids), count_weights=torch.tensor(weights))
    actual = ember_keras.layers.CategoryEncoding(4, "count")(ids, count_weights=weights)
    np.testing.assert_allclose(as_numpy(actual), as_numpy(expected))


@pytest.mark.parametrize("args,kwargs,shape", [
    ((4, 5), {}, (2, 8, 10, 3)), ((12, 7), {}, (2, 6, 5, 1)), ((5, 5), {"interpolation": "nearest"}, (2, 8, 9, 3)),
    ((4, 4), {"crop_to_aspect_ratio": True}, (2, 8, 12, 2)), ((6, 3), {}, (7, 9, 2)),
])
def test_resizing(args, kwargs, shape):
    compare_layer(*both("Resizing", *args, **kwargs), random(*shape), check_shape=len(shape) == 4)


@pytest.mark.parametrize("args,shape", [((4, 5), (2, 8, 9, 3)), ((3, 3), (2, 3, 4, 1)), ((8, 8), (2, 6, 4, 2))])
def test_center_crop(args, shape):
    compare_layer(*both("CenterCrop", *args), random(*shape))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
def test_affine_transform_matches_keras_ops(interpolation, fill_mode):
    images = random(3, 6, 7, 2)
    angle = np.array([0.3, -1.1, 2.0])
    transforms = np.stack([np.cos(angle), -np.sin(angle), [1.5, -2.0, 0.3], np.sin(angle), np.cos(angle),
                           [-0.7, 2.2, 1.0], np.zeros(3), np.zeros(3)], 1).astype("float32")
    transforms[1, :2] *= 1.3  # a zoom too
    expected = keras.ops.image.affine_transform(torch.tensor(images), torch.tensor(transforms), interpolation,
                                                fill_mode, fill_value=0.5)
    actual = affine_transform(ember.tensor(images), transforms, interpolation, fill_mode, fill_value=0.5)
    np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,args", [("RandomFlip", ()), ("RandomRotation", (0.2,)), ("RandomZoom", (0.3,)),
                                       ("RandomTranslation", (0.2, 0.1)), ("RandomContrast", (0.5,))])
def test_augmentation_is_identity_at_inference_and_random_in_training(name, args):
    images = random(4, 8, 8, 3, low=0.0, high=255.0)
    compare_layer(*both(name, *args, seed=1), images, grads=False, call_kwargs={"training": False})
    layer = getattr(ember_keras.layers, name)(*args, seed=1)
    first, second = as_numpy(layer(images, training=True)), as_numpy(layer(images, training=True))
    assert first.shape == images.shape and not np.allclose(first, second)
    assert set(getattr(keras.layers, name)(*args).get_config()) - set(layer.get_config()) <= {"interpolation"} \
        if name == "RandomFlip" else set(getattr(keras.layers, name)(*args).get_config()) <= set(layer.get_config())


def test_augmentation_specifics():
    images = random(64, 4, 5, 1, low=0.0, high=1.0)
    flipped = as_numpy(ember_keras.layers.RandomFlip("horizontal", seed=0)(images, training=True))
    is_flipped = np.all(flipped == images[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(is_flipped | np.all(flipped == images, axis=(1, 2, 3))) and 10 < is_flipped.sum() < 54
    contrast = as_numpy(ember_keras.layers.RandomContrast(0.5, value_range=(0, 1), seed=0)(images, training=True))
    np.testing.assert_allclose(contrast.mean((1, 2)), images.mean((1, 2)), atol=0.15)
    assert contrast.min() >= 0 and contrast.max() <= 1
    no_rotation = ember_keras.layers.RandomRotation((0.0, 0.0), seed=0)(images, training=True)
    np.testing.assert_allclose(as_numpy(no_rotation), images, atol=1e-5)


def test_augmentation_in_a_model_trains():
    model = ember_keras.Sequential([ember_keras.Input((8, 8, 3)), ember_keras.layers.RandomFlip(seed=0),
                                    ember_keras.layers.RandomRotation(0.1, seed=0),
                                    ember_keras.layers.Rescaling(1 / 255.0), ember_keras.layers.Flatten(),
                                    ember_keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = random(16, 8, 8, 3, low=0.0, high=255.0), RNG.integers(0, 2, size=16)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    np.testing.assert_allclose(model.predict(x[:2], verbose=0), model.predict(x[:2], verbose=0))


@pytest.mark.parametrize("shape", [(2, 8, 10, 3), (2, 3, 4, 1)])
def test_random_crop_at_inference_matches_keras(shape):
    compare_layer(*both("RandomCrop", 4, 6, seed=0), random(*shape), call_kwargs={"training": False},
                  check_shape=False)
    cropped = as_numpy(ember_keras.layers.RandomCrop(4, 6, seed=0)(random(*shape)))
    assert cropped.shape == (shape[0], 4, 6, shape[-1])


def test_random_crop_and_brightness_in_training():
    images = random(8, 6, 7, 2)
    crop = as_numpy(ember_keras.layers.RandomCrop(4, 5, seed=3)(images))
    windows = [images[:, top:top + 4, left:left + 5] for top in range(3) for left in range(3)]
    assert any(np.array_equal(crop, window) for window in windows)
    bright = ember_keras.layers.RandomBrightness(0.2, value_range=(0, 1), seed=0)
    base = random(64, 3, 3, 1, low=0.3, high=0.7)
    shifted = as_numpy(bright(base)) - base
    assert np.allclose(shifted, shifted[:, :1, :1]) and np.abs(shifted).max() <= 0.2 + 1e-6
    compare_layer(*both("RandomBrightness", 0.2, seed=0), random(2, 4, 4, 3), call_kwargs={"training": False},
                  grads=False)


def test_alpha_dropout_and_activity_regularization():
    compare_layer(*both("AlphaDropout", 0.2, seed=0), random(4, 5))
    x = random(2000, 50)
    dropped = as_numpy(ember_keras.layers.AlphaDropout(0.2, seed=0)(x, training=True))
    assert abs(dropped.mean()) < 0.05 and abs(dropped.std() - 1.0) < 0.05  # self-normalizing
    keras_layer, ember_layer, _, _ = compare_layer(*both("ActivityRegularization", l1=0.1, l2=0.2), random(3, 4))
    np.testing.assert_allclose(float(as_numpy(ember_layer.losses[0])), float(as_numpy(keras_layer.losses[0])),
                               rtol=1e-5)
