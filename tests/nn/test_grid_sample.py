"""F.affine_grid and F.grid_sample against PyTorch 2.13: modes, padding modes, align_corners; grads
with respect to the input and the grid."""
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


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(align_corners):
    theta = np.random.default_rng(0).standard_normal((2, 2, 3))
    compare_functions(lambda t: F.affine_grid(t, (2, 3, 4, 5), align_corners=align_corners),
                      lambda t: torch.nn.functional.affine_grid(t, [2, 3, 4, 5], align_corners=align_corners),
                      [theta], **TOL)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample(mode, padding_mode, align_corners):
    rng = np.random.default_rng(1)
    image = rng.standard_normal((2, 3, 5, 6))
    grid = rng.uniform(-1.6, 1.6, (2, 4, 7, 2))  # beyond the borders too, to exercise padding
    differentiable = (0, 1) if mode == "bilinear" else (0,)
    compare_functions(
        lambda x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners),
        lambda x, g: torch.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                     align_corners=align_corners),
        [image, grid], differentiable=differentiable, **TOL)


def test_spatial_transformer_round_trip():
    """An identity affine grid samples the image back (align_corners=False, the default)."""
    image = ember.tensor(np.random.default_rng(2).standard_normal((1, 2, 4, 4)))
    grid = F.affine_grid(ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=ember.float64), (1, 2, 4, 4))
    np.testing.assert_allclose(F.grid_sample(image, grid).numpy(), image.numpy(), atol=1e-12)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2), padding_mode="wrap")
    with pytest.raises(RuntimeError, match="grid_sample"):
        F.grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(2, 1, 1, 2))
