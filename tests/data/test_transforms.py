"""Image transforms against hand-computed NumPy results."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.data import transforms as T
from ember.data.transforms._geometry import padding_sides


@pytest.fixture
def image():
    return np.random.default_rng(0).integers(0, 256, (5, 6, 3), dtype=np.uint8)


def test_to_tensor_makes_chw_floats_in_unit_range(image):
    tensor = T.ToTensor()(image)
    assert tensor.shape == (3, 5, 6) and tensor.dtype == ember.float32
    np.testing.assert_array_equal(tensor.numpy(), image.transpose(2, 0, 1).astype(np.float32) / 255)


def test_to_tensor_adds_a_channel_to_grayscale_and_keeps_float_values():
    assert T.ToTensor()(np.zeros((4, 4), np.uint8)).shape == (1, 4, 4)
    floats = np.full((2, 2, 1), 3.0, np.float32)
    assert T.ToTensor()(floats).numpy().max() == 3.0


def test_normalize_matches_pytorch_formula(image):
    tensor = T.ToTensor()(image)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    expected = (torch.tensor(tensor.numpy()) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_allclose(T.Normalize(mean, std)(tensor).numpy(), expected.numpy(), rtol=1e-6)
    batch = ember.tensor(np.stack([tensor.numpy()] * 2))
    assert T.Normalize(mean, std)(batch).shape == (2, 3, 5, 6)


def test_normalize_in_place_and_refusals(image):
    tensor = T.ToTensor()(image)
    assert T.Normalize((0.5,) * 3, (0.5,) * 3, inplace=True)(tensor) is tensor
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0.0,), (0.0,))
    with pytest.raises(TypeError, match="ToTensor first"):
        T.Normalize((0.0,), (1.0,))(ember.tensor(image))


@pytest.mark.parametrize("padding, mode", [(2, "constant"), ((1, 3), "edge"), ((1, 2, 3, 4), "reflect"),
                                           (None, "constant")])
def test_random_crop_is_a_window_of_the_padded_image(image, padding, mode):
    tensor = T.ToTensor()(image)
    crop = T.RandomCrop((4, 5), padding=padding, padding_mode=mode, fill=0.5,
                        generator=ember.Generator().manual_seed(1))
    left, top, right, bottom = padding_sides(padding) if padding is not None else (0, 0, 0, 0)
    options = {"constant_values": 0.5} if mode == "constant" else {}
    padded = np.pad(tensor.numpy(), [(0, 0), (top, bottom), (left, right)], mode=mode, **options)
    for _ in range(5):
        out = crop(tensor).numpy()
        windows = [padded[:, i:i + 4, j:j + 5] for i in range(padded.shape[1] - 3) for j in range(padded.shape[2] - 4)]
        assert any(np.array_equal(out, window) for window in windows)


def test_random_crop_is_reproducible_and_pads_if_needed(image):
    tensor = T.ToTensor()(image)
    a = T.RandomCrop(4, padding=2, generator=ember.Generator().manual_seed(3))
    b = T.RandomCrop(4, padding=2, generator=ember.Generator().manual_seed(3))
    assert all(np.array_equal(a(tensor).numpy(), b(tensor).numpy()) for _ in range(4))
    assert T.RandomCrop(8, pad_if_needed=True)(tensor).shape == (3, 8, 8)
    with pytest.raises(ValueError, match="larger than the input"):
        T.RandomCrop(9)(tensor)


def test_random_horizontal_flip(image):
    tensor = T.ToTensor()(image)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(tensor).numpy(), tensor.numpy()[..., ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(tensor) is tensor
    flips = T.RandomHorizontalFlip(generator=ember.Generator().manual_seed(0))
    results = {bool(np.array_equal(flips(tensor).numpy(), tensor.numpy())) for _ in range(20)}
    assert results == {True, False}


def test_compose_runs_in_order(image):
    pipeline = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2), T.Normalize((1.0,) * 3, (1.0,) * 3)])
    np.testing.assert_allclose(pipeline(image).numpy(), image.transpose(2, 0, 1) / 255 * 2 - 1, atol=1e-6)
    assert "ToTensor()" in repr(pipeline)
