"""F.interpolate / nn.Upsample against PyTorch 2.13: every mode, size and scale_factor forms,
align_corners, recompute_scale_factor; values and input gradients in float64."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import compare_functions  # noqa: E402

TOL = dict(rtol=1e-10, atol=1e-10)
CASES = [("nearest", (2, 3, 5, 7)), ("nearest-exact", (1, 2, 5, 6)), ("nearest", (1, 2, 7)),
         ("nearest", (1, 1, 3, 4, 5)), ("linear", (2, 3, 5)), ("bilinear", (2, 2, 5, 6)),
         ("bicubic", (1, 2, 5, 6)), ("trilinear", (1, 2, 3, 4, 5)), ("area", (1, 2, 6, 6))]
SIZES = [dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.45), dict(size=3), dict(size=11),
         dict(scale_factor=0.6, recompute_scale_factor=True)]


@pytest.mark.parametrize("mode,shape", CASES)
@pytest.mark.parametrize("how", range(len(SIZES)))
def test_interpolate_matches_torch(mode, shape, how):
    kwargs = dict(SIZES[how])
    if "size" in kwargs:
        kwargs["size"] = (kwargs["size"],) * (len(shape) - 2)
    x = np.random.default_rng(how).standard_normal(shape)
    corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for align_corners in corners:
        compare_functions(lambda t: F.interpolate(t, mode=mode, align_corners=align_corners, **kwargs),
                          lambda t: torch.nn.functional.interpolate(t, mode=mode, align_corners=align_corners,
                                                                    **kwargs), [x], **TOL)


@pytest.mark.parametrize("args", [dict(scale_factor=2, mode="bilinear"), dict(size=(3, 5)),
                                  dict(scale_factor=(2, 3), mode="nearest"),
                                  dict(scale_factor=1.5, mode="bicubic", align_corners=True)])
def test_upsample_module(args):
    ours, theirs = nn.Upsample(**args), torch.nn.Upsample(**args)
    assert repr(ours) == repr(theirs)
    compare_functions(ours, theirs, [np.random.default_rng(0).standard_normal((2, 2, 4, 4))], **TOL)


@pytest.mark.parametrize("name", ["UpsamplingNearest2d", "UpsamplingBilinear2d"])
def test_fixed_mode_upsamplers(name):
    ours, theirs = getattr(nn, name)(scale_factor=2), getattr(torch.nn, name)(scale_factor=2)
    compare_functions(ours, theirs, [np.random.default_rng(0).standard_normal((1, 2, 3, 4))], **TOL)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="align_corners option"):
        F.interpolate(ember.ones(1, 1, 4), scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4D input"):
        F.interpolate(ember.ones(1, 1, 4), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(ember.ones(1, 1, 4))
    with pytest.raises(RuntimeError, match="same number of spatial dimensions"):
        F.interpolate(ember.ones(1, 1, 4, 4), size=(2, 2, 2))
