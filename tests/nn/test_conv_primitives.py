"""The primitives of ``ember.primitives.nn`` on their own: shape rules, float64 finite
differences of every VJP, and second-order gradients of convolution against PyTorch.

Because the VJP of each convolution primitive is another one of the three,
the finite-difference checks of ``conv_transpose`` and ``conv_weight_grad``
are also the checks of ``conv``'s double backward.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional
from ember.primitives import nn as nn_ops
from ember.primitives.core import Aval

TF = torch.nn.functional


def leaf(array) -> ember.Tensor:
    return ember.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def check_finite_differences(function, arrays, seed: int = 0, eps: float = 1e-6) -> None:
    """Ember's gradient of ``sum(function(*x) * u)`` against central differences along a random direction."""
    rng = np.random.default_rng(seed)
    tensors = [leaf(a) for a in arrays]
    out = function(*tensors)
    upstream = rng.standard_normal(out.shape)
    grads = ember.autograd.grad((out * ember.tensor(upstream)).sum(), tensors)
    directions = [rng.standard_normal(np.shape(a)) for a in arrays]

    def loss(scale):
        with ember.no_grad():
            shifted = [ember.tensor(a + scale * d) for a, d in zip(arrays, directions)]
            return float((function(*shifted) * ember.tensor(upstream)).sum())
    numeric = (loss(eps) - loss(-eps)) / (2 * eps)
    analytic = sum(float((g.detach().numpy() * d).sum()) for g, d in zip(grads, directions))
    assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric)), (numeric, analytic)


GEOMETRIES = [  # x shape, kernel, stride, pads, dilation, groups
    ((2, 3, 7), (2,), (1,), ((0, 0),), (1,), 1),
    ((2, 4, 9), (3,), (2,), ((1, 2),), (2,), 2),
    ((1, 2, 6, 5), (3, 2), (1, 1), ((1, 1), (0, 0)), (1, 1), 1),
    ((2, 4, 8, 7), (3, 3), (2, 3), ((1, 0), (2, 1)), (1, 2), 2),
    ((1, 6, 5, 6), (1, 1), (1, 2), ((0, 0), (0, 0)), (1, 1), 3),
    ((1, 2, 4, 5, 4), (2, 3, 2), (1, 2, 1), ((1, 1), (0, 1), (0, 0)), (1, 1, 2), 1),
]


def _weight_shape(x_shape, kernel, groups, out_per_group=2):
    return (out_per_group * groups, x_shape[1] // groups) + kernel


def _out_spatial(x_shape, kernel, stride, pads, dilation):
    return tuple(nn_ops.conv_output_size(n, k, s, p, d)
                 for n, k, s, p, d in zip(x_shape[2:], kernel, stride, pads, dilation))


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=range(len(GEOMETRIES)))
def test_conv_primitives_match_finite_differences(geometry):
    x_shape, kernel, stride, pads, dilation, groups = geometry
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(_weight_shape(x_shape, kernel, groups))
    g = rng.standard_normal((x_shape[0], w.shape[0]) + _out_spatial(x_shape, kernel, stride, pads, dilation))
    attrs = (stride, pads, dilation, groups)
    check_finite_differences(lambda a, b: nn_ops.conv(a, b, *attrs), [x, w])
    check_finite_differences(lambda a, b: nn_ops.conv_transpose(a, b, *attrs, x_shape[2:]), [g, w])
    check_finite_differences(lambda a, b: nn_ops.conv_weight_grad(a, b, *attrs, kernel), [x, g])


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=range(len(GEOMETRIES)))
def test_shape_rules_predict_the_kernels(geometry):
    x_shape, kernel, stride, pads, dilation, groups = geometry
    rng = np.random.default_rng(2)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(_weight_shape(x_shape, kernel, groups)).astype(np.float32)
    attrs = (stride, pads, dilation, groups)
    y = nn_ops.Conv.forward(np, x, w, *attrs)
    assert nn_ops.Conv.abstract(Aval(x.shape, x.dtype), Aval(w.shape, w.dtype), *attrs) == (y.shape, y.dtype)
    back = nn_ops.ConvTranspose.forward(np, y, w, *attrs, x_shape[2:])
    assert back.shape == x.shape and back.dtype == np.float32
    assert nn_ops.ConvTranspose.abstract(Aval(y.shape, y.dtype), Aval(w.shape, w.dtype), *attrs,
                                         x_shape[2:]) == (x.shape, x.dtype)
    dw = nn_ops.ConvWeightGrad.forward(np, x, y, *attrs, kernel)
    assert nn_ops.ConvWeightGrad.abstract(Aval(x.shape, x.dtype), Aval(y.shape, y.dtype), *attrs,
                                          kernel) == (dw.shape, dw.dtype) == (w.shape, w.dtype)


def test_conv_against_torch_including_asymmetric_padding():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 2))
    ours = nn_ops.conv(ember.tensor(x), ember.tensor(w), (2, 1), ((1, 1), (0, 2)), (1, 2), 2)
    theirs = TF.conv2d(TF.pad(torch.tensor(x), (0, 2, 1, 1)), torch.tensor(w), stride=(2, 1),
                       dilation=(1, 2), groups=2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (1, 0, 1, 1), (2, 1, 1, 2), (1, 2, 2, 1), ((2, 1), (0, 1), (1, 2), 4)])
def test_conv2d_second_order_matches_torch(stride, padding, dilation, groups):
    """Gradient of a projection of (dL/dx, dL/dw) with respect to x, w and the upstream gradient."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((4, 4 // groups, 3, 2))
    config = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    out_shape = TF.conv2d(torch.tensor(x), torch.tensor(w), **config).shape
    u = rng.standard_normal(out_shape)
    vx, vw = rng.standard_normal(x.shape), rng.standard_normal(w.shape)

    def second(lib, conv2d, tensor):
        xs, ws, us = (tensor(a, requires_grad=True) for a in (x, w, u))
        gx, gw = lib.autograd.grad((conv2d(xs, ws, **config) * us).sum(), (xs, ws), create_graph=True)
        projection = (gx * tensor(vx)).sum() + (gw * tensor(vw)).sum()
        return lib.autograd.grad(projection, (xs, ws, us), allow_unused=True)

    ours = second(ember, ember.nn.functional.conv2d, ember.tensor)
    theirs = second(torch, TF.conv2d, torch.tensor)
    for a, b in zip(ours, theirs):
        expected = np.zeros(a.shape) if b is None else b.numpy()
        np.testing.assert_allclose(a.detach().numpy(), expected, rtol=1e-10, atol=1e-10)


POOLS = [  # x shape, kernel, stride, padding, ceil_mode
    ((2, 3, 7), (3,), (2,), (1,), False),
    ((1, 2, 7, 6), (2, 2), (2, 2), (0, 0), True),
    ((2, 2, 6, 7), (3, 2), (2, 1), (1, 1), True),
    ((1, 1, 5, 4, 6), (2, 2, 3), (1, 2, 2), (1, 0, 1), False),
]


@pytest.mark.parametrize("geometry", POOLS, ids=range(len(POOLS)))
@pytest.mark.parametrize("count_include_pad, divisor", [(True, None), (False, None), (True, 5)])
def test_avg_pool_pair_matches_finite_differences(geometry, count_include_pad, divisor):
    x_shape, kernel, stride, padding, ceil_mode = geometry
    x = np.random.default_rng(5).standard_normal(x_shape)
    attrs = (kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    check_finite_differences(lambda a: nn_ops.avg_pool(a, *attrs), [x])
    pooled = nn_ops.avg_pool(ember.tensor(x), *attrs)
    g = np.random.default_rng(6).standard_normal(pooled.shape)
    check_finite_differences(lambda a: nn_ops.avg_pool_transpose(a, *attrs, x_shape[2:]), [g])


@pytest.mark.parametrize("unique", [True, False])
def test_pool_gather_and_scatter_match_finite_differences(unique):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 4, 5))
    if unique:
        indices = np.stack([rng.permutation(20)[:6] for _ in range(6)]).reshape(2, 3, 6)
    else:
        indices = rng.integers(0, 20, (2, 3, 6))
    indices = ember.tensor(indices)
    check_finite_differences(lambda a: nn_ops.pool_gather(a, indices, unique), [x])
    values = rng.standard_normal((2, 3, 6))
    check_finite_differences(lambda a: nn_ops.pool_scatter(a, indices, (4, 5), unique), [values])
    scattered = nn_ops.pool_scatter(ember.tensor(values), indices, (4, 5), unique).numpy()
    expected = np.zeros((6, 20))
    np.add.at(expected, (np.arange(6)[:, None], indices.numpy().reshape(6, 6)), values.reshape(6, 6))
    np.testing.assert_allclose(scattered.reshape(6, 20), expected)


def test_max_pool_indices_has_no_gradient_and_rules_agree():
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    indices = nn_ops.max_pool_indices(x, (2, 2), (2, 2), (1, 1), (1, 1), False)
    assert not indices.requires_grad and indices.dtype == ember.int64
    rule = nn_ops.MaxPoolIndices.abstract(Aval(x.shape, np.float32), (2, 2), (2, 2), (1, 1), (1, 1), False)
    assert rule == (indices.shape, np.dtype(np.int64))


@pytest.mark.parametrize("call, message", [
    (lambda: nn_ops.conv(ember.ones(1, 3, 5, 5), ember.ones(2, 2, 3, 3), (1, 1), ((0, 0),) * 2, (1, 1), 1,
                         check=True), r"conv2d: expected input of shape \(1, 3, 5, 5\) to have 2 channels"),
    (lambda: nn_ops.conv(ember.ones(1, 4, 5, 5), ember.ones(5, 2, 3, 3), (1, 1), ((0, 0),) * 2, (1, 1), 2,
                         check=True), r"out_channels \(5\) must be divisible by groups \(2\)"),
    (lambda: nn_ops.conv(ember.ones(1, 2, 2, 2), ember.ones(2, 2, 3, 3), (1, 1), ((0, 0),) * 2, (1, 1), 1,
                         check=True), r"conv2d: calculated output size \(0, 0\) is too small"),
    (lambda: nn_ops.max_pool_indices(ember.ones(1, 1, 5, 5), (2, 2), (2, 2), (2, 2), (1, 1), False),
     "pad should be at most half of kernel size"),
])
def test_shape_errors_name_the_op_and_shapes(call, message):
    with pytest.raises(ember.ShapeError, match=message):
        call()


def test_unchecked_kernel_failure_is_explained_by_the_rule():
    """Called without ``check``, a failing kernel still reports the shape rule's message."""
    with pytest.raises(ember.ShapeError, match=r"conv1d: expected input of shape \(1, 3, 5\) to have 4"):
        nn_ops.conv(ember.ones(1, 3, 5), ember.ones(2, 4, 3), (1,), ((0, 0),), (1,), 1)


def test_dtype_mismatch_is_a_dtype_error():
    with pytest.raises(ember.DTypeError, match="same dtype"):
        nn_ops.conv(ember.ones(1, 1, 4, dtype=ember.float64), ember.ones(1, 1, 2), (1,), ((0, 0),), (1,), 1,
                    check=True)
