"""RandomAffine, GaussianBlur, RandomErasing and the small conversions, against independent references.

Affine: torchvision documents the forward map ``T * C * R(angle) * S(scale) *
SHy(shear_y) * SHx(shear_x) * C^-1`` (``SHx(s) = [[1, -tan s], [0, 1]]``,
``SHy(s) = [[1, 0], [-tan s, 1]]``) and samples each output pixel at its
inverse image with grid_sample; the reference inverts the forward matrix
numerically. Blur: reflect padding and a conv2d with the outer product of
two normalised Gaussians.
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


def _forward_matrix(angle, translate, scale, shear):
    """The documented forward map about the image centre, as a 3 x 3 matrix (torchvision's angle sign)."""
    a, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shear_x = np.array([[1, -math.tan(sx)], [0, 1]])
    shear_y = np.array([[1, 0], [-math.tan(sy), 1]])
    forward = np.eye(3)
    forward[:2, :2] = rotation @ (scale * np.eye(2)) @ shear_y @ shear_x
    forward[:2, 2] = translate
    return forward


def _torch_warp(image: np.ndarray, forward: np.ndarray, mode: str) -> np.ndarray:
    channels, height, width = image.shape
    inverse = np.linalg.inv(forward)
    ys, xs = np.meshgrid(np.arange(height) - (height - 1) / 2, np.arange(width) - (width - 1) / 2, indexing="ij")
    points = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ inverse.T
    grid = torch.tensor(np.stack([points[..., 0] / (width / 2), points[..., 1] / (height / 2)], axis=-1),
                        dtype=torch.float32)[None]
    sampled = torch.nn.functional.grid_sample(torch.from_numpy(image)[None], grid, mode=mode,
                                              padding_mode="zeros", align_corners=False)
    return sampled[0].numpy()


@pytest.mark.parametrize("angle, translate, scale, shear", [(30.0, (0, 0), 1.0, (0.0, 0.0)),
                                                            (0.0, (2, -1), 1.0, (0.0, 0.0)),
                                                            (-15.0, (1, 1), 1.3, (10.0, 0.0)),
                                                            (45.0, (0, 2), 0.8, (-12.0, 7.0))])
def test_affine_matches_the_documented_forward_map(angle, translate, scale, shear):
    image = np.random.default_rng(0).random((2, 11, 13), dtype=np.float32)
    ours = F.affine(ember.tensor(image), angle, translate, scale, shear, InterpolationMode.BILINEAR).numpy()
    reference = _torch_warp(image, _forward_matrix(angle, translate, scale, shear), "bilinear")
    np.testing.assert_allclose(ours, reference, atol=1e-5)


def test_affine_rotation_is_clockwise_and_integer_shifts_are_exact():
    image = np.arange(36, dtype=np.float32).reshape(1, 6, 6)
    np.testing.assert_array_equal(F.affine(ember.tensor(image), 90.0, (0, 0), 1.0, 0.0).numpy(),
                                  F.rotate(ember.tensor(image), -90.0).numpy())
    shifted = F.affine(ember.tensor(image), 0.0, (2, 1), 1.0, 0.0).numpy()
    expected = np.zeros_like(image)
    expected[:, 1:, 2:] = image[:, :-1, :-2]
    np.testing.assert_array_equal(shifted, expected)


def test_random_affine_draws_like_torchvision_and_is_seeded():
    angle, shift, scale, shear = T.RandomAffine.get_params((-10, 10), (0.1, 0.2), (0.9, 1.1), (-5, 5, -3, 3),
                                                           (28, 40), generator=ember.Generator().manual_seed(0))
    assert -10 <= angle <= 10 and abs(shift[0]) <= 3 and abs(shift[1]) <= 8 and 0.9 <= scale <= 1.1
    assert -5 <= shear[0] <= 5 and -3 <= shear[1] <= 3 and all(isinstance(s, int) for s in shift)
    affine = T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10, fill=0.5)
    image = ember.rand(1, 16, 16)
    ember.manual_seed(2)
    first = affine(image).numpy()
    ember.manual_seed(2)
    np.testing.assert_array_equal(affine(image).numpy(), first)
    assert (first == 0.5).any()  # uncovered corners take the fill
    with pytest.raises(ValueError, match="translate"):
        T.RandomAffine(0, translate=(1.5, 0))
    with pytest.raises(ValueError, match="shear"):
        T.RandomAffine(0, shear=(1, 2, 3))


@pytest.mark.parametrize("sizes, sigmas", [((3, 3), (0.8, 0.8)), ((5, 3), (1.5, 0.6)), ((7, 7), None)])
def test_gaussian_blur_matches_conv2d(sizes, sigmas):
    image = np.random.default_rng(1).random((3, 12, 10), dtype=np.float32)
    ours = F.gaussian_blur(ember.tensor(image), list(sizes), None if sigmas is None else list(sigmas)).numpy()
    if sigmas is None:
        sigmas = [0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in sizes]

    def kernel(size, sigma):
        offsets = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
        weights = torch.exp(-0.5 * (offsets / sigma) ** 2)
        return weights / weights.sum()

    weights = torch.outer(kernel(sizes[1], sigmas[1]), kernel(sizes[0], sigmas[0])).expand(3, 1, sizes[1], sizes[0])
    padded = torch.nn.functional.pad(torch.from_numpy(image)[None], [sizes[0] // 2] * 2 + [sizes[1] // 2] * 2,
                                     mode="reflect")
    reference = torch.nn.functional.conv2d(padded, weights, groups=3)[0].numpy()
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_gaussian_blur_transform_and_its_checks():
    uint8 = np.random.default_rng(2).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    blurred = T.GaussianBlur(3, sigma=1.0)(uint8)
    floats = F.gaussian_blur(ember.tensor(uint8.transpose(2, 0, 1).astype(np.float32)), 3, 1.0).numpy()
    np.testing.assert_array_equal(blurred, np.round(floats).astype(np.uint8).transpose(1, 2, 0))
    with pytest.raises(ValueError, match="odd"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="sigma"):
        T.GaussianBlur(3, sigma=(2.0, 1.0))


def test_random_erasing_blanks_one_rectangle():
    image = ember.ones(3, 20, 24)
    erased = T.RandomErasing(p=1.0, value=(0.0, 0.5, 0.25), generator=ember.Generator().manual_seed(0))(image).numpy()
    assert image.numpy().min() == 1.0  # not in place by default
    hole = erased[0] == 0.0
    rows, columns = np.nonzero(hole)
    assert hole.sum() == (rows.max() - rows.min() + 1) * (columns.max() - columns.min() + 1)  # a rectangle
    assert 0.02 * 480 - 6 <= hole.sum() <= 0.33 * 480 + 6
    assert np.all(erased[1][hole] == 0.5) and np.all(erased[2][hole] == 0.25)
    noise = T.RandomErasing(p=1.0, value="random", generator=ember.Generator().manual_seed(1))(image).numpy()
    assert (noise != 1.0).any() and noise.std() > 0
    assert T.RandomErasing(p=0.0)(image) is image
    with pytest.raises(TypeError, match="ToTensor first"):
        T.RandomErasing()(np.zeros((4, 4, 3)))


def test_random_apply_and_random_grayscale_follow_the_seed():
    image = ember.rand(3, 4, 4)
    assert T.RandomApply([T.RandomHorizontalFlip(1.0)], p=0.0)(image) is image
    gray = T.RandomGrayscale(p=1.0)(image).numpy()
    assert gray.shape == (3, 4, 4) and np.array_equal(gray[0], gray[1])
    applied = T.RandomApply([T.ColorJitter(0.5)], p=0.5)
    ember.manual_seed(3)
    first = [applied(image).numpy() for _ in range(6)]
    ember.manual_seed(3)
    assert all(np.array_equal(a, applied(image).numpy()) for a in first)
    assert len({a.tobytes() for a in first}) > 1


def test_convert_image_dtype_follows_torchvision_rules():
    floats = ember.tensor([[[0.0, 0.5, 0.999, 1.0]]])
    assert T.ConvertImageDtype(ember.uint8)(floats).tolist() == [[[0, 127, 255, 255]]]
    assert F.convert_image_dtype(ember.tensor([[[255, 0]]], dtype=ember.uint8)).tolist() == [[[1.0, 0.0]]]
    assert F.convert_image_dtype(ember.tensor([[[255]]], dtype=ember.uint8), ember.int16).tolist() == [[[32640]]]
    narrowed = F.convert_image_dtype(ember.tensor([[[32767, 16384]]], dtype=ember.int16), ember.uint8)
    assert narrowed.tolist() == [[[255, 128]]]  # floor division by (32767 + 1) // (255 + 1) = 128
    with pytest.raises(TypeError, match="cannot be performed safely"):
        F.convert_image_dtype(ember.tensor([[[0.5]]]), ember.int32)


def test_pil_to_tensor_keeps_values():
    Image = pytest.importorskip("PIL.Image")
    picture = Image.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3))
    tensor = T.PILToTensor()(picture)
    assert tensor.dtype == ember.uint8 and tensor.tolist() == [[[0, 1, 2], [3, 4, 5]]]
