"""Unfold/Fold against PyTorch 2.13: kernel, dilation, padding, stride; values and gradients."""
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
SETTINGS = [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2),
            dict(kernel_size=3, padding=1, dilation=1), dict(kernel_size=(3, 2), dilation=(2, 1), padding=(1, 2),
                                                            stride=(1, 2))]


@pytest.mark.parametrize("setting", range(len(SETTINGS)))
@pytest.mark.parametrize("shape", [(2, 3, 7, 6), (3, 6, 5)])
def test_unfold_then_fold_match_torch(setting, shape):
    kwargs = SETTINGS[setting]
    ours, theirs = nn.Unfold(**kwargs), torch.nn.Unfold(**kwargs)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(setting).standard_normal(shape)
    compare_functions(ours, theirs, [x], **TOL)
    columns = torch.nn.Unfold(**kwargs)(torch.tensor(x))
    ours, theirs = nn.Fold(shape[-2:], **kwargs), torch.nn.Fold(shape[-2:], **kwargs)
    assert repr(ours) == repr(theirs)
    compare_functions(ours, theirs, [np.random.default_rng(9).standard_normal(tuple(columns.shape))], **TOL)


def test_fold_refuses_mismatched_blocks():
    with pytest.raises(RuntimeError, match="fold"):
        nn.Fold((4, 4), 2)(ember.ones(1, 4, 5))
