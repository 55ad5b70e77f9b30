"""F.grid_sample's bicubic mode and 5-D (volumetric) input, F.affine_grid's 5-D sizes, and
F.interpolate(antialias=True), against PyTorch 2.13: values and gradients (input and grid)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import compare_functions  # noqa: E402

TOL = dict(rtol=1e-9, atol=1e-10)
PADDINGS = ["zeros", "border", "reflection"]


def _sample(lib, mode, padding_mode, align_corners):
    functional = F if lib is ember else torch.nn.functional
    return lambda x, g: functional.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                               align_corners=align_corners)


@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_grid_sample(padding_mode, align_corners):
    rng = np.random.default_rng(1)
    image = rng.standard_normal((2, 3, 5, 6))
    grid = rng.uniform(-1.6, 1.6, (2, 4, 7, 2))  # beyond the borders, so padding acts on the taps
    compare_functions(_sample(ember, "bicubic", padding_mode, align_corners),
                      _sample(torch, "bicubic", padding_mode, align_corners), [image, grid], **TOL)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("align_corners", [False, True])
def test_volumetric_grid_sample(mode, padding_mode, align_corners):
    rng = np.random.default_rng(2)
    volume = rng.standard_normal((2, 3, 4, 5, 6))
    grid = rng.uniform(-1.4, 1.4, (2, 3, 2, 4, 3))
    compare_functions(_sample(ember, mode, padding_mode, align_corners),
                      _sample(torch, mode, padding_mode, align_corners), [volume, grid],
                      differentiable=(0, 1) if mode == "bilinear" else (0,), **TOL)


def test_float32_bicubic_and_trilinear():
    rng = np.random.default_rng(3)
    for image, grid, mode in [(rng.standard_normal((1, 2, 6, 5)), rng.uniform(-1, 1, (1, 3, 3, 2)), "bicubic"),
                              (rng.standard_normal((1, 2, 3, 4, 5)), rng.uniform(-1, 1, (1, 2, 2, 2, 3)),
                               "bilinear")]:
        compare_functions(_sample(ember, mode, "zeros", False), _sample(torch, mode, "zeros", False),
                          [image.astype(np.float32), grid.astype(np.float32)], dtype="float32",
                          rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("align_corners", [False, True])
def test_volumetric_affine_grid_round_trip(align_corners):
    rng = np.random.default_rng(4)
    theta = rng.standard_normal((2, 3, 4))
    compare_functions(lambda t: F.affine_grid(t, (2, 1, 3, 4, 5), align_corners=align_corners),
                      lambda t: torch.nn.functional.affine_grid(t, [2, 1, 3, 4, 5], align_corners=align_corners),
                      [theta], **TOL)
    volume = ember.tensor(rng.standard_normal((1, 2, 3, 4, 5)))
    identity = ember.tensor(np.eye(3, 4)[None])
    grid = F.affine_grid(identity, (1, 2, 3, 4, 5), align_corners=align_corners)
    np.testing.assert_allclose(F.grid_sample(volume, grid, align_corners=align_corners).numpy(), volume.numpy(),
                               atol=1e-12)


def test_bad_arguments_are_refused_as_torch_does():
    with pytest.raises(ValueError, match="bicubic interpolation only supports 4D input"):
        F.grid_sample(ember.ones(1, 1, 2, 2, 2), ember.zeros(1, 1, 1, 1, 3), mode="bicubic")
    with pytest.raises(ValueError, match="mode"):
        F.grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2), mode="area")
    with pytest.raises(RuntimeError, match="grid_sample"):
        F.grid_sample(ember.ones(1, 1, 2, 2, 2), ember.zeros(1, 1, 1, 2))  # 5-D input, 4-D grid
    with pytest.raises(RuntimeError, match="3x4"):
        F.affine_grid(ember.zeros(1, 2, 3), (1, 1, 2, 2, 2))
    with pytest.raises(NotImplementedError, match="anti-alias"):
        F.interpolate(ember.ones(1, 1, 4), size=2, mode="linear", antialias=True)
    with pytest.raises(NotImplementedError, match="anti-alias"):
        F.interpolate(ember.ones(1, 1, 4, 4), size=2, mode="nearest", antialias=True)


ANTIALIAS_SIZES = [dict(size=(5, 4)), dict(size=(3, 11)), dict(scale_factor=0.37), dict(scale_factor=(0.5, 1.7)),
                   dict(size=(1, 1)), dict(scale_factor=0.3, recompute_scale_factor=True)]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("how", range(len(ANTIALIAS_SIZES)))
def test_antialiased_interpolate(mode, align_corners, how):
    image = np.random.default_rng(how).standard_normal((2, 3, 13, 9))
    kwargs = dict(mode=mode, align_corners=align_corners, antialias=True, **ANTIALIAS_SIZES[how])
    compare_functions(lambda x: F.interpolate(x, **kwargs), lambda x: torch.nn.functional.interpolate(x, **kwargs),
                      [image], **TOL)


def test_antialiased_float32_downscale():
    image = np.random.default_rng(5).random((1, 3, 40, 30), dtype=np.float32)
    for mode in ("bilinear", "bicubic"):
        compare_functions(lambda x: F.interpolate(x, size=(7, 12), mode=mode, antialias=True),
                          lambda x: torch.nn.functional.interpolate(x, size=(7, 12), mode=mode, antialias=True),
                          [image], dtype="float32", rtol=1e-5, atol=1e-6)
