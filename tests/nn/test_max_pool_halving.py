"""``max_pool_grad``'s 2x2 / stride 2 path (``MaxPool2d(2)``) against PyTorch and the general path.

The halving path works on four corner planes instead of window views; it must
route every gradient exactly where PyTorch does (first maximum in row-major
window order, ties everywhere after a ReLU), leave an odd last row/column at
zero, and hand NaN inputs and non-finite gradients to the general path.
"""
from __future__ import annotations

import numpy
import pytest
import torch

from ember.primitives import nn as nn_ops

HALVING = ((2, 2), (2, 2), (0, 0), (1, 1), False)


def _torch_grad(x, g):
    theirs = torch.tensor(x, requires_grad=True)
    (torch.nn.functional.max_pool2d(theirs, 2) * torch.tensor(g)).sum().backward()
    return theirs.grad.numpy()


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (3, 2, 9, 7), (1, 1, 2, 2), (2, 4, 13, 13), (1, 2, 3, 6)])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_halving_path_matches_pytorch(shape, dtype):
    rng = numpy.random.default_rng(sum(shape))
    x = rng.integers(-1, 2, shape).astype(dtype)  # -1, 0, 1: ties in most windows, across rows too
    x = numpy.where(rng.random(shape) < 0.3, rng.standard_normal(shape), x).astype(dtype)
    g = rng.standard_normal((shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype(dtype)
    assert nn_ops._halving_fit(x, g, *HALVING[:4])
    fast = nn_ops._halving_max_pool_grad(numpy, x, g)
    assert fast is not None and fast.dtype == dtype and fast.flags.c_contiguous
    numpy.testing.assert_array_equal(fast, _torch_grad(x, g))
    numpy.testing.assert_array_equal(nn_ops.MaxPoolGrad.forward(numpy, x, g, *HALVING), fast)


def test_tie_between_top_right_and_bottom_left_goes_to_top_right():
    x = numpy.array([[[[-1.0, 0.0], [0.0, -1.0]]]])  # a column-first scan would pick the bottom left
    g = numpy.array([[[[5.0]]]])
    numpy.testing.assert_array_equal(nn_ops._halving_max_pool_grad(numpy, x, g), [[[[0.0, 5.0], [0.0, 0.0]]]])


@pytest.mark.parametrize("bad", ["nan input", "inf gradient", "nan gradient"])
def test_non_finite_values_leave_the_halving_path(bad):
    x = numpy.arange(32.0).reshape(1, 2, 4, 4)
    g = numpy.ones((1, 2, 2, 2))
    if bad == "nan input":
        x[0, 1, 2, 3] = numpy.nan
    else:
        g[0, 0, 1, 0] = numpy.inf if bad == "inf gradient" else numpy.nan
    assert nn_ops._halving_max_pool_grad(numpy, x, g) is None
    numpy.testing.assert_array_equal(nn_ops.MaxPoolGrad.forward(numpy, x, g, *HALVING), _torch_grad(x, g))


@pytest.mark.parametrize("attrs, x_dtype, g_dtype", [
    (((2, 2), (2, 2), (1, 1), (1, 1)), numpy.float32, numpy.float32),  # padding
    (((2, 2), (1, 1), (0, 0), (1, 1)), numpy.float32, numpy.float32),  # overlapping windows
    (((3, 3), (3, 3), (0, 0), (1, 1)), numpy.float32, numpy.float32),  # another kernel
    (((2, 2), (2, 2), (0, 0), (1, 1)), numpy.int64, numpy.float32),    # integer input
    (((2, 2), (2, 2), (0, 0), (1, 1)), numpy.float32, numpy.float64),  # mixed dtypes
])
def test_other_geometries_take_the_general_path(attrs, x_dtype, g_dtype):
    x, g = numpy.zeros((1, 1, 6, 6), x_dtype), numpy.zeros((1, 1, 3, 3), g_dtype)
    assert not nn_ops._halving_fit(x, g, *attrs)


def test_chunked_batches_match_pytorch(monkeypatch):
    """Large inputs go through in chunks of samples; a NaN in a late chunk still leaves the path."""
    monkeypatch.setattr(nn_ops, "POOL_CHUNK_BYTES", 256)  # one sample (2x4x5 float64) per chunk
    rng = numpy.random.default_rng(5)
    x = rng.integers(-1, 2, (7, 2, 4, 5)).astype(numpy.float64)
    g = rng.standard_normal((7, 2, 2, 2))
    fast = nn_ops._halving_max_pool_grad(numpy, x, g)
    numpy.testing.assert_array_equal(fast, _torch_grad(x, g))
    x[6, 1, 0, 0] = numpy.nan
    assert nn_ops._halving_max_pool_grad(numpy, x, g) is None
    numpy.testing.assert_array_equal(nn_ops.MaxPoolGrad.forward(numpy, x, g, *HALVING), _torch_grad(x, g))

