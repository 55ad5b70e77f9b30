"""ColorJitter and its adjustments, against references written from torchvision's documented maths.

Tensor rules (torchvision's tensor path): brightness blends with black,
contrast with the mean of the grayscale image, saturation with the
grayscale image, each ``ratio * image + (1 - ratio) * other`` clipped to
[0, 1] (floats) or [0, 255] and truncated (uint8); grayscale is
``0.2989 R + 0.587 G + 0.114 B``; hue is a cyclic shift of H in HSV, for
which Python's colorsys is an independent reference.
"""
from __future__ import annotations

import colorsys

import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F


@pytest.fixture
def rgb():
    return np.random.default_rng(0).random((3, 5, 7), dtype=np.float32)


def _gray(image):
    return 0.2989 * image[0] + 0.587 * image[1] + 0.114 * image[2]


@pytest.mark.parametrize("factor", [0.0, 0.6, 1.0, 1.7])
def test_brightness_contrast_saturation_on_floats(rgb, factor):
    tensor = ember.tensor(rgb)
    np.testing.assert_allclose(F.adjust_brightness(tensor, factor).numpy(), np.clip(factor * rgb, 0, 1), atol=1e-6)
    mean = _gray(rgb).mean()
    np.testing.assert_allclose(F.adjust_contrast(tensor, factor).numpy(),
                               np.clip(factor * rgb + (1 - factor) * mean, 0, 1), atol=1e-6)
    np.testing.assert_allclose(F.adjust_saturation(tensor, factor).numpy(),
                               np.clip(factor * rgb + (1 - factor) * _gray(rgb)[None], 0, 1), atol=1e-6)


def test_uint8_blends_truncate_like_torchvision():
    image = np.random.default_rng(1).integers(0, 256, (3, 6, 6), dtype=np.uint8)
    ours = F.adjust_brightness(ember.tensor(image), 1.3).numpy()
    expected = np.clip(np.float32(1.3) * image.astype(np.float32), 0, 255).astype(np.uint8)  # truncation
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, expected)
    gray = _gray(image.astype(np.float32)).astype(np.uint8).astype(np.float32)  # grayscale truncated first
    contrast = np.clip(0.5 * image.astype(np.float32) + 0.5 * gray.mean(), 0, 255).astype(np.uint8)
    assert np.abs(F.adjust_contrast(ember.tensor(image), 0.5).numpy().astype(int) - contrast).max() <= 1


@pytest.mark.parametrize("shift", [-0.5, -0.2, 0.0, 0.13, 0.5])
def test_hue_matches_colorsys(rgb, shift):
    ours = F.adjust_hue(ember.tensor(rgb), shift).numpy()
    expected = np.empty_like(rgb)
    for row in range(rgb.shape[1]):
        for column in range(rgb.shape[2]):
            h, s, v = colorsys.rgb_to_hsv(*rgb[:, row, column].astype(float))
            expected[:, row, column] = colorsys.hsv_to_rgb((h + shift) % 1.0, s, v)
    np.testing.assert_allclose(ours, expected, atol=2e-6)


def test_hue_on_uint8_and_grey_images():
    image = np.random.default_rng(2).integers(0, 256, (3, 4, 4), dtype=np.uint8)
    shifted = F.adjust_hue(ember.tensor(image), 0.25).numpy()
    floats = F.adjust_hue(ember.tensor(image.astype(np.float32) / 255), 0.25).numpy()
    assert shifted.dtype == np.uint8
    np.testing.assert_array_equal(shifted, (floats * np.float32(255.999)).astype(np.uint8))
    one_channel = ember.rand(1, 3, 3)
    assert F.adjust_hue(one_channel, 0.3) is not None
    np.testing.assert_array_equal(F.adjust_hue(one_channel, 0.3).numpy(), one_channel.numpy())
    grey = np.full((3, 2, 2), 0.4, np.float32)  # hue is undefined for grey: it must stay grey, no NaN
    np.testing.assert_allclose(F.adjust_hue(ember.tensor(grey), 0.3).numpy(), grey, atol=1e-7)


def test_grayscale_transform(rgb):
    one = T.Grayscale()(ember.tensor(rgb)).numpy()
    np.testing.assert_allclose(one[0], _gray(rgb), atol=1e-6)
    three = T.Grayscale(3)(ember.tensor(rgb)).numpy()
    assert three.shape == (3, 5, 7) and np.array_equal(three[0], three[2])


def test_color_jitter_applies_the_drawn_factors_in_the_drawn_order(rgb):
    jitter = T.ColorJitter(0.5, 0.5, 0.5, 0.2, generator=ember.Generator().manual_seed(4))
    twin = T.ColorJitter(0.5, 0.5, 0.5, 0.2, generator=ember.Generator().manual_seed(4))
    order, brightness, contrast, saturation, hue = twin.get_params(
        twin.brightness, twin.contrast, twin.saturation, twin.hue, generator=twin.generator)
    assert sorted(order) == [0, 1, 2, 3]
    assert 0.5 <= brightness <= 1.5 and 0.5 <= contrast <= 1.5 and 0.5 <= saturation <= 1.5 and -0.2 <= hue <= 0.2
    expected = ember.tensor(rgb)
    steps = {0: (F.adjust_brightness, brightness), 1: (F.adjust_contrast, contrast),
             2: (F.adjust_saturation, saturation), 3: (F.adjust_hue, hue)}
    for index in order:
        function, factor = steps[index]
        expected = function(expected, factor)
    np.testing.assert_array_equal(jitter(ember.tensor(rgb)).numpy(), expected.numpy())


def test_color_jitter_ranges_and_reproducibility(rgb):
    jitter = T.ColorJitter(brightness=0.4, hue=(-0.1, 0.3))
    assert jitter.brightness == (0.6, 1.4) and jitter.contrast is None and jitter.hue == (-0.1, 0.3)
    assert T.ColorJitter(brightness=2.0).brightness == (0.0, 3.0)  # the low end is clipped at 0
    ember.manual_seed(11)
    first = jitter(ember.tensor(rgb)).numpy()
    ember.manual_seed(11)
    np.testing.assert_array_equal(jitter(ember.tensor(rgb)).numpy(), first)
    assert T.ColorJitter()(ember.tensor(rgb)).numpy().tolist() == rgb.tolist()  # all None: unchanged


def test_color_jitter_on_pil_and_numpy():
    Image = pytest.importorskip("PIL.Image")
    hwc = np.random.default_rng(5).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    jitter = T.ColorJitter(0.3, 0.3, 0.3, 0.1, generator=ember.Generator().manual_seed(0))
    from_array = jitter(hwc)
    jitter.generator.manual_seed(0)
    from_pil = jitter(Image.fromarray(hwc))
    assert from_array.shape == hwc.shape and from_array.dtype == np.uint8
    assert isinstance(from_pil, Image.Image) and from_pil.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(from_pil), from_array)


def test_bad_color_arguments():
    with pytest.raises(ValueError, match="non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError, match="single number or a list/tuple"):
        T.ColorJitter(contrast=(1, 2, 3))
    with pytest.raises(ValueError, match=r"hue_factor \(0.9\) is not in"):
        F.adjust_hue(ember.rand(3, 2, 2), 0.9)
    with pytest.raises(TypeError, match="1 or 3 channels"):
        F.adjust_brightness(ember.rand(4, 2, 2), 1.2)


def test_on_pil_images_the_blends_are_within_one_level_of_image_enhance():
    """torchvision's PIL path uses ImageEnhance (rounding); its tensor path, used here, truncates."""
    Image = pytest.importorskip("PIL.Image")
    from PIL import ImageEnhance
    picture = Image.fromarray(np.random.default_rng(6).integers(0, 256, (9, 8, 3), dtype=np.uint8))
    for factor in (0.4, 1.3):
        for ours, theirs in [(F.adjust_brightness, ImageEnhance.Brightness), (F.adjust_contrast, ImageEnhance.Contrast),
                             (F.adjust_saturation, ImageEnhance.Color)]:
            difference = np.asarray(ours(picture, factor)).astype(int) - np.asarray(theirs(picture).enhance(factor))
            assert np.abs(difference).max() <= 1
