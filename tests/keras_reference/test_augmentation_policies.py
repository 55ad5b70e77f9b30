"""RandAugment, AugMix, RandomElasticTransform and MaxNumBoundingBoxes against real Keras 3.

The policies' random choices are handed over where they are deterministic (auto-contrast and
equalization steps); otherwise draws are checked for their properties."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .augmentation_harness import check_inference_and_config
from .harness import as_numpy, random

L = ember_keras.layers


def _images(shape=(3, 8, 7, 3)):
    return random(*shape, low=0.0, high=255.0)


def test_rand_augment_deterministic_operations_match_keras():
    # Its own generator, not the shared one: the images must not depend on which tests ran before.
    images = np.random.default_rng(7).uniform(0.0, 255.0, size=(3, 8, 7, 3)).astype("float32")
    keras_layer, ember_layer = keras.layers.RandAugment(seed=1), L.RandAugment(seed=1)
    transformation = keras_layer.get_random_transformation(torch.tensor(images), training=True)
    transformation["layer_idxes"] = torch.tensor([9, 10])  # auto_contrast, then equalization
    # Keras's RandomBrightness adds its delta to the images in place even when RandAugment does not pick it
    # (a Keras bug Ember does not copy): a zero delta keeps Keras's images untouched for the comparison.
    brightness = transformation["transforms"]["random_brightness"]
    brightness["rgb_delta"] = torch.zeros_like(brightness["rgb_delta"])
    expected = as_numpy(keras_layer.transform_images(torch.tensor(images), transformation))
    actual = ember_layer.transform_images(ember.tensor(images), {"layer_idxes": np.array([9, 10])}).numpy()
    # A value that auto-contrast puts within float32 rounding of a histogram bin edge may land in the
    # neighbouring bin (torch fuses the multiply-add), and equalization then moves that bin's pixels:
    # over 40 random images the matching share was 0.984-1.0, so 2% may differ, nothing more.
    assert np.mean(np.isclose(actual, expected, rtol=1e-5, atol=1e-3)) > 0.98
    check_inference_and_config(keras_layer, ember_layer, images)


def test_aug_mix_deterministic_chains_match_keras():
    images = _images()
    keras_layer, ember_layer = keras.layers.AugMix(seed=1), L.AugMix(seed=1)
    chains = [[{"layer_name": "auto_contrast", "transformation": None}],
              [{"layer_name": "equalization", "transformation": None},
               {"layer_name": "auto_contrast", "transformation": None}], []]
    weights, keep = np.array([0.2, 0.3, 0.5], "float32"), np.float32(0.35)
    expected = as_numpy(keras_layer.transform_images(torch.tensor(images), {
        "chain_mixing_weights": torch.tensor(weights), "weight_sample": torch.tensor(keep), "chain_transforms": chains}))
    actual = ember_layer.transform_images(ember.tensor(images), {
        "chain_mixing_weights": weights, "weight_sample": keep, "chain_transforms": chains}).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-3)
    check_inference_and_config(keras_layer, ember_layer, images)


def test_policy_draws():
    images = ember.tensor(_images((4, 8, 8, 3)))
    aug_mix = L.AugMix(num_chains=4, chain_depth=2, seed=0)
    draw = aug_mix.get_random_transformation(images)
    assert len(draw["chain_transforms"]) == 4 and all(len(chain) <= 2 for chain in draw["chain_transforms"])
    assert abs(draw["chain_mixing_weights"].sum() - 1.0) < 1e-5 and 0 <= draw["weight_sample"] <= 1
    out = aug_mix(images).numpy()
    assert out.min() >= 0.0 and out.max() <= 255.0
    indices = np.concatenate([L.RandAugment(num_ops=3, seed=s).get_random_transformation(images)["layer_idxes"]
                              for s in range(60)])
    assert set(indices.tolist()) == set(range(11))
    assert L.RandAugment(num_ops=0, seed=0)(images).numpy() == pytest.approx(images.numpy())


def test_random_elastic_transform():
    images = _images((4, 16, 12, 3))
    check_inference_and_config(keras.layers.RandomElasticTransform(seed=1), L.RandomElasticTransform(seed=1), images)
    layer = L.RandomElasticTransform(factor=(1.0, 1.0), scale=(0.5, 0.5), seed=0)
    warped = layer(ember.tensor(images)).numpy()
    assert warped.shape == images.shape and warped.min() >= 0 and warped.max() <= 255
    assert not np.allclose(warped, images)  # every image distorted
    smooth = np.tile(np.linspace(0, 255, 12, dtype="float32"), (4, 16, 1))[..., None]
    shifted = layer(ember.tensor(smooth)).numpy()  # a ramp moves by small smooth displacements
    assert np.abs(shifted - smooth).mean() < 25.0
    untouched = L.RandomElasticTransform(factor=0.0, seed=0)(ember.tensor(images)).numpy()
    np.testing.assert_allclose(untouched, images)


def test_max_num_bounding_boxes():
    images = _images((2, 4, 4, 3))
    keras_layer, ember_layer = keras.layers.MaxNumBoundingBoxes(3), L.MaxNumBoundingBoxes(3)
    check_inference_and_config(keras_layer, ember_layer, images)
    boxes = {"boxes": np.arange(40, dtype="float32").reshape(2, 5, 4), "labels": np.ones((2, 5), "float32")}
    out = ember_layer({"images": images, "bounding_boxes": boxes})
    assert tuple(out["bounding_boxes"]["boxes"].shape) == (2, 3, 4)
    np.testing.assert_allclose(out["images"].numpy(), images)
    padded = L.MaxNumBoundingBoxes(7, fill_value=-2)({"images": images, "bounding_boxes": boxes})
    assert padded["bounding_boxes"]["labels"].numpy()[0].tolist() == [1, 1, 1, 1, 1, -2, -2]
