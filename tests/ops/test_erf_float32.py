"""The vectorised float32 ``erf`` (ember/primitives/erf_float32.py) against the exact values."""
from __future__ import annotations

import math

import numpy as np
import torch

import ember
from ember.primitives.erf_float32 import erf_float32


def test_within_4e_7_of_the_exact_erf_everywhere():
    x = np.concatenate([np.linspace(-6, 6, 200_001), np.logspace(-38, 1, 2_000)]).astype(np.float32)
    exact = np.array([math.erf(v) for v in x.astype(np.float64)])
    error = np.abs(erf_float32(x).astype(np.float64) - exact)
    assert error.max() <= 4e-7
    small = np.abs(x) < 1  # near 0, relative accuracy matters (GELU of small inputs)
    assert (error[small] / np.maximum(np.abs(exact[small]), 1e-300)).max() <= 3e-7


def test_special_values_and_shapes():
    values = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 4.0, -30.0], np.float32)
    np.testing.assert_array_equal(erf_float32(values), [np.nan, 1, -1, 0, 0, np.float32(math.erf(4)), -1])
    assert erf_float32(np.array(0.5, np.float32)).shape == ()
    assert erf_float32(np.zeros((0, 3), np.float32)).shape == (0, 3)


def test_ember_erf_and_gelu_use_it_and_match_torch():
    x = np.random.default_rng(0).standard_normal((8, 32, 128)).astype(np.float32) * 3
    assert ember.erf(ember.tensor(x)).dtype == ember.float32
    np.testing.assert_allclose(ember.erf(ember.tensor(x)).numpy(), torch.erf(torch.tensor(x)).numpy(), atol=4e-7)
    ours = ember.nn.functional.gelu(ember.tensor(x)).numpy()
    # x·(1 + erf(x))/2 cancels for x near -4: erf's 4e-7 becomes about 1e-6 there
    np.testing.assert_allclose(ours, torch.nn.functional.gelu(torch.tensor(x)).numpy(), rtol=1e-6, atol=2e-6)
