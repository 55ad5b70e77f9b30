"""Rotation against a PyTorch re-derivation of torchvision's tensor algorithm, and exact cases.

torchvision rotates a tensor by sampling, for each output pixel centre
(x, y) measured from the output's centre, the input at the inverse-rotated
point, normalised by half the *input* size, with ``grid_sample(...,
padding_mode="zeros", align_corners=False)``; ``fill`` is applied through a
sampled mask of ones (nearest: mask < 0.5 takes the fill; bilinear:
``image * mask + (1 - mask) * fill``). Integer images go through float32.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember.vision import transforms as T
from ember.vision.transforms import InterpolationMode
from ember.vision.transforms import functional as F


def _torch_rotate(image: np.ndarray, angle: float, mode: str, fill=None, out_size=None, center=None) -> np.ndarray:
    """The reference, written from the description above with PyTorch's grid_sample as the sampler."""
    source = torch.from_numpy(image)
    floats = source.float() if not source.is_floating_point() else source
    channels, height, width = floats.shape
    out_height, out_width = out_size or (height, width)
    turn = math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    # output pixel centres relative to the output centre
    xs = torch.arange(out_width, dtype=floats.dtype) - (out_width - 1) / 2
    ys = torch.arange(out_height, dtype=floats.dtype) - (out_height - 1) / 2
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    offset_x, offset_y = (0.0, 0.0) if center is None else (center[0] - width / 2, center[1] - height / 2)
    # the inverse of a counter-clockwise turn (y pointing down) about the offset centre
    u = cos * (x - offset_x) - sin * (y - offset_y) + offset_x
    v = sin * (x - offset_x) + cos * (y - offset_y) + offset_y
    grid = torch.stack([u / (width / 2), v / (height / 2)], dim=-1)[None]
    stacked = floats[None]
    if fill is not None:  # a channel of ones rides along to tell covered pixels from uncovered ones
        stacked = torch.cat([floats, torch.ones(1, height, width, dtype=floats.dtype)])[None]
    sampled = torch.nn.functional.grid_sample(stacked, grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    if fill is not None:
        mask, sampled = sampled[-1:], sampled[:-1]
        fill_image = torch.tensor(fill, dtype=floats.dtype).view(-1, 1, 1).expand_as(sampled)
        if mode == "nearest":
            sampled = torch.where(mask < 0.5, fill_image, sampled)
        else:
            sampled = sampled * mask + (1 - mask) * fill_image
    if not source.is_floating_point():
        sampled = sampled.round().to(source.dtype)
    return sampled.numpy()


def _close_fraction(ours, reference, atol):
    return float((np.abs(ours.astype(np.float64) - reference.astype(np.float64)) <= atol).mean())


@pytest.mark.parametrize("angle", [17.0, -33.5, 90.0, 135.0])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill", [None, [0.25, 0.5, 1.0]])
def test_float_rotation_matches_grid_sample(angle, mode, fill):
    image = np.random.default_rng(0).random((3, 9, 12), dtype=np.float32)
    ours = F.rotate(ember.tensor(image), angle, InterpolationMode(mode), fill=fill).numpy()
    reference = _torch_rotate(image, angle, mode, fill)
    assert ours.shape == reference.shape == image.shape
    # nearest may pick the other neighbour where a sample point lies on a pixel boundary up to rounding
    assert _close_fraction(ours, reference, 1e-4) >= (1.0 if mode == "bilinear" else 0.98)


def test_rotation_about_a_given_center_and_uint8_rounding():
    image = np.random.default_rng(1).integers(0, 256, (1, 10, 10), dtype=np.uint8)
    ours = F.rotate(ember.tensor(image), 25.0, InterpolationMode.BILINEAR, center=(2, 3), fill=[7.0]).numpy()
    reference = _torch_rotate(image, 25.0, "bilinear", [7.0], center=(2, 3))
    assert ours.dtype == np.uint8
    assert np.abs(ours.astype(int) - reference.astype(int)).max() <= 1


def test_quarter_and_half_turns_are_exact():
    image = np.arange(3 * 6 * 6, dtype=np.float32).reshape(3, 6, 6)
    np.testing.assert_array_equal(F.rotate(ember.tensor(image), 90).numpy(), np.rot90(image, 1, axes=(1, 2)))
    np.testing.assert_array_equal(F.rotate(ember.tensor(image), 180).numpy(), image[:, ::-1, ::-1])
    np.testing.assert_array_equal(F.rotate(ember.tensor(image), -90).numpy(), np.rot90(image, -1, axes=(1, 2)))


def test_expand_enlarges_to_hold_the_whole_image():
    wide = np.arange(10 * 20, dtype=np.float32).reshape(1, 10, 20)
    turned = F.rotate(ember.tensor(wide), 90, expand=True).numpy()
    np.testing.assert_array_equal(turned, np.rot90(wide, 1, axes=(1, 2)))
    diagonal = F.rotate(ember.tensor(wide), 45, expand=True).numpy()
    # the corners at (±10, ±5) turned by 45° reach ±10.6 on both axes: ceil/floor about the centre give 22
    assert diagonal.shape == (1, 22, 22)
    reference = _torch_rotate(wide, 45, "nearest", out_size=(22, 22))
    assert _close_fraction(diagonal, reference, 1e-3) >= 0.98


def test_random_rotation_draws_from_the_range_and_follows_manual_seed():
    image = ember.tensor(np.random.default_rng(2).random((3, 8, 8), dtype=np.float32))
    rotation = T.RandomRotation((10, 20), interpolation=InterpolationMode.BILINEAR)
    ember.manual_seed(5)
    first = [rotation(image).numpy() for _ in range(3)]
    ember.manual_seed(5)
    again = [rotation(image).numpy() for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1])
    angle = T.RandomRotation.get_params((10, 20), generator=ember.Generator().manual_seed(0))
    assert 10 <= angle <= 20
    # RandomRotation fills through the mask even for fill=0, as torchvision's forward does
    expected = F.rotate(image, T.RandomRotation.get_params((10, 20), generator=ember.Generator().manual_seed(3)),
                        InterpolationMode.BILINEAR, fill=[0.0, 0.0, 0.0]).numpy()
    seeded = T.RandomRotation((10, 20), interpolation=InterpolationMode.BILINEAR,
                              generator=ember.Generator().manual_seed(3))
    np.testing.assert_array_equal(seeded(image).numpy(), expected)


def test_pil_and_numpy_rotate_like_tensors():
    Image = pytest.importorskip("PIL.Image")
    hwc = np.random.default_rng(3).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    tensor_result = F.rotate(ember.tensor(hwc.transpose(2, 0, 1)), 30).numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(F.rotate(hwc, 30), tensor_result)
    picture = F.rotate(Image.fromarray(hwc), 30)
    assert isinstance(picture, Image.Image) and picture.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(picture), tensor_result)


def test_bad_rotation_arguments():
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="length 2"):
        T.RandomRotation((1, 2, 3))
    with pytest.raises(ValueError, match="not supported"):
        F.rotate(ember.zeros(1, 4, 4), 10, InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match="fill"):
        F.rotate(ember.zeros(3, 4, 4), 10, fill=[1.0, 2.0])


def test_on_pil_images_nearest_rotation_equals_pils_own():
    Image = pytest.importorskip("PIL.Image")
    picture = Image.fromarray(np.random.default_rng(4).integers(0, 256, (21, 17, 3), dtype=np.uint8))
    for angle in (10, 33, 135):
        np.testing.assert_array_equal(np.asarray(F.rotate(picture, angle)),
                                      np.asarray(picture.rotate(angle, resample=Image.NEAREST)))
