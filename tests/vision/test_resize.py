"""Resize against PyTorch's interpolate, which is what torchvision's tensor Resize calls.

torchvision (not installable beside torch 2.13 here) resizes a tensor with
``interpolate(x, size, mode, align_corners=False, antialias=True)`` for
bilinear and bicubic and ``interpolate(x, size, mode="nearest")`` for
nearest; integer images go through float32 and come back rounded (bicubic
clamped first). The size rule for an int: the shorter edge becomes ``size``,
the longer ``int(size * long / short)``.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.vision import transforms as T
from ember.vision.transforms import InterpolationMode
from ember.vision.transforms import functional as F

FLOAT_TOLERANCE = 2e-5  # float32 weights computed in a different order than PyTorch's


def _torch_resize(array: np.ndarray, size, mode: str) -> np.ndarray:
    image = torch.from_numpy(array)[None]
    floats = image.float() if image.dtype == torch.uint8 else image
    if mode in ("nearest", "nearest-exact"):
        out = torch.nn.functional.interpolate(floats, size=size, mode=mode)
    else:
        out = torch.nn.functional.interpolate(floats, size=size, mode=mode, align_corners=False, antialias=True)
    if image.dtype == torch.uint8:
        out = (out.clamp(0, 255) if mode == "bicubic" else out).round().to(torch.uint8)
    return out[0].numpy()


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest", "nearest-exact"])
@pytest.mark.parametrize("size", [(7, 5), (13, 40), (16, 9), (3, 3), (32, 60)])
def test_float_tensor_matches_interpolate(mode, size):
    image = np.random.default_rng(0).random((3, 16, 20), dtype=np.float32)
    ours = F.resize(ember.tensor(image), size, InterpolationMode(mode)).numpy()
    reference = _torch_resize(image, size, mode)
    assert ours.shape == reference.shape == (3, *size) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, atol=FLOAT_TOLERANCE, rtol=0)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_uint8_tensor_is_rounded_like_torchvision(mode):
    image = np.random.default_rng(1).integers(0, 256, (3, 23, 31), dtype=np.uint8)
    for size in [(10, 12), (40, 50)]:
        ours = F.resize(ember.tensor(image), size, InterpolationMode(mode)).numpy()
        reference = _torch_resize(image, size, mode)
        assert ours.dtype == np.uint8
        difference = np.abs(ours.astype(int) - reference.astype(int))
        assert difference.max() <= 1 and (difference == 0).mean() > 0.99  # ties at .5 may round apart


def test_batches_and_float64_keep_their_layout():
    batch = np.random.default_rng(2).random((2, 3, 12, 12))
    ours = T.Resize((5, 7))(ember.tensor(batch)).numpy()
    reference = torch.nn.functional.interpolate(torch.from_numpy(batch), size=(5, 7), mode="bilinear",
                                                align_corners=False, antialias=True).numpy()
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, reference, atol=1e-10)


@pytest.mark.parametrize("shape, size, expected", [((30, 40), 20, (20, 26)), ((40, 30), 20, (26, 20)),
                                                   ((32, 32), [8], (8, 8)), ((30, 40), (9, 11), (9, 11))])
def test_output_size_rule(shape, size, expected):
    assert T.Resize(size)(ember.zeros(1, *shape)).shape == (1, *expected)


def test_max_size_caps_the_longer_edge_and_same_size_returns_the_input():
    assert T.Resize(20, max_size=24)(ember.zeros(1, 30, 60)).shape == (1, 12, 24)
    image = ember.rand(3, 8, 8)
    assert T.Resize(8)(image) is image
    with pytest.raises(ValueError, match="max_size"):
        T.Resize((4, 4), max_size=10)(image)


def test_growing_with_bilinear_is_plain_bilinear_interpolation():
    image = np.random.default_rng(3).random((1, 5, 6), dtype=np.float32)
    plain = torch.nn.functional.interpolate(torch.from_numpy(image)[None], size=(11, 13), mode="bilinear",
                                            align_corners=False)[0].numpy()
    np.testing.assert_allclose(F.resize(ember.tensor(image), (11, 13)).numpy(), plain, atol=FLOAT_TOLERANCE)
    shrunk = F.resize(ember.tensor(image), (2, 3), antialias=False).numpy()
    plain_small = torch.nn.functional.interpolate(torch.from_numpy(image)[None], size=(2, 3), mode="bilinear",
                                                  align_corners=False)[0].numpy()
    np.testing.assert_allclose(shrunk, plain_small, atol=FLOAT_TOLERANCE)


def test_pil_and_numpy_images_resize_like_tensors():
    Image = pytest.importorskip("PIL.Image")
    hwc = np.random.default_rng(4).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    from_array = T.Resize((10, 12))(hwc)
    from_tensor = T.Resize((10, 12))(ember.tensor(hwc.transpose(2, 0, 1))).numpy().transpose(1, 2, 0)
    assert from_array.shape == (10, 12, 3) and from_array.dtype == np.uint8
    np.testing.assert_array_equal(from_array, from_tensor)
    picture = T.Resize((10, 12))(Image.fromarray(hwc))
    assert isinstance(picture, Image.Image) and picture.size == (12, 10) and picture.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(picture), from_array)
    # PIL's own antialiased bilinear is the same filter in fixed point: within one grey level
    pil_own = np.asarray(Image.fromarray(hwc).resize((12, 10), Image.BILINEAR)).astype(int)
    assert np.abs(pil_own - from_array.astype(int)).max() <= 1


def test_pil_filter_constants_are_accepted_as_older_code_passes_them():
    Image = pytest.importorskip("PIL.Image")
    image = ember.rand(1, 8, 8)
    for constant, mode in [(Image.BICUBIC, InterpolationMode.BICUBIC), (Image.NEAREST, InterpolationMode.NEAREST)]:
        np.testing.assert_array_equal(T.Resize(5, interpolation=constant)(image).numpy(),
                                      T.Resize(5, interpolation=mode)(image).numpy())


def test_bad_interpolation_and_size_are_refused():
    with pytest.raises(TypeError, match="InterpolationMode"):
        T.Resize(4, interpolation="area")
    with pytest.raises(TypeError, match="InterpolationMode"):
        T.Resize(4, interpolation=1)  # PIL's LANCZOS (1) is not offered
    with pytest.raises(ValueError, match="size"):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match="bicubic without antialiasing"):
        F.resize(ember.zeros(1, 4, 4), 2, InterpolationMode.BICUBIC, antialias=False)
