"""AdaptiveMaxPool1d/2d/3d against PyTorch 2.13: values, indices, gradients (tie-free random data)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import compare_functions  # noqa: E402

TOL = dict(rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,shape,size", [
    ("AdaptiveMaxPool1d", (2, 3, 10), 3), ("AdaptiveMaxPool1d", (3, 7), 7),
    ("AdaptiveMaxPool2d", (2, 3, 7, 5), (3, 2)), ("AdaptiveMaxPool2d", (2, 3, 8, 8), (4, None)),
    ("AdaptiveMaxPool2d", (3, 5, 5), 1), ("AdaptiveMaxPool3d", (1, 2, 5, 4, 3), (2, 3, 2))])
def test_adaptive_max_pool_matches_torch(name, shape, size):
    ours, theirs = getattr(nn, name)(size), getattr(torch.nn, name)(size)
    assert repr(ours) == repr(theirs)
    compare_functions(ours, theirs, [np.random.default_rng(0).standard_normal(shape)], **TOL)
    x = np.random.default_rng(1).standard_normal(shape)
    _, ours_idx = getattr(nn, name)(size, return_indices=True)(ember.tensor(x))
    _, theirs_idx = getattr(torch.nn, name)(size, return_indices=True)(torch.tensor(x))
    assert ours_idx.tolist() == theirs_idx.tolist()


def test_bad_output_size_is_refused():
    with pytest.raises(ValueError, match="adaptive_max_pool2d"):
        nn.AdaptiveMaxPool2d((1, 2, 3))(ember.ones(1, 1, 4, 4))
