"""Pooling functions and layers against PyTorch 2.13: values, indices, gradients
(including ties, NaN and -inf, where the gradient must reach PyTorch's argmax)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import ember
from ember import nn
from ember.nn import functional as F
from ember.primitives.nn import pool_output_size

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close  # noqa: E402

TF = torch.nn.functional


def compare_pool(name, x, dtype="float64", seed=0, **kwargs):
    """``F.<name>`` in both libraries on ``x``: values, indices and input gradients."""
    x = x.astype(dtype)
    ours_in, theirs_in = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = getattr(F, name)(ours_in, **kwargs), getattr(TF, name)(theirs_in, **kwargs)
    if kwargs.get("return_indices"):
        np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
        assert ours[1].dtype == ember.int64
        ours, theirs = ours[0], theirs[0]
    assert_close(ours, theirs, dtype, "value", equal_nan=True)
    upstream = np.random.default_rng(seed).standard_normal(tuple(theirs.shape)).astype(dtype)
    ours.backward(ember.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_close(ours_in.grad, theirs_in.grad, dtype, "grad")


@st.composite
def pool_geometries(draw, dims: int, dilated: bool):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) if dilated else 1 for _ in range(dims))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    spatial = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 8))
                    for k, d, p in zip(kernel, dilation, padding))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3))) + spatial
    ceil_mode = draw(st.booleans())
    for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation):
        # a window only in the padding is refused by Ember (PyTorch returns -inf, an invalid index)
        out = pool_output_size(n, k, s, p, d, ceil_mode)
        assume(all(any(0 <= o * s - p + i * d < n for i in range(k)) for o in range(out)))
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    if dilated:
        kwargs["dilation"] = dilation
    return shape, kwargs


def _values(rng, shape, kind):
    if kind == "ties":
        return rng.integers(-2, 3, shape).astype(np.float64)
    x = rng.standard_normal(shape)
    if kind == "nan":
        x[rng.random(shape) < 0.15] = np.nan
    if kind == "-inf":
        x[rng.random(shape) < 0.4] = -np.inf
    return x


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_geometries(2, dilated=True), st.sampled_from(["normal", "ties", "nan", "-inf"]),
       st.integers(0, 2 ** 16))
def test_max_pool2d_random_geometries_match_torch(geometry, kind, seed):
    shape, kwargs = geometry
    compare_pool("max_pool2d", _values(np.random.default_rng(seed), shape, kind), return_indices=True,
                 **kwargs)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_geometries(1, dilated=True), st.sampled_from(["normal", "ties"]), st.integers(0, 2 ** 16))
def test_max_pool1d_random_geometries_match_torch(geometry, kind, seed):
    shape, kwargs = geometry
    compare_pool("max_pool1d", _values(np.random.default_rng(seed), shape, kind), return_indices=True,
                 **kwargs)


def test_max_pool3d_and_float32_match_torch():
    rng = np.random.default_rng(0)
    compare_pool("max_pool3d", rng.standard_normal((2, 2, 5, 4, 6)), kernel_size=(2, 3, 2), stride=(1, 2, 2),
                 padding=(1, 1, 0), return_indices=True)
    compare_pool("max_pool2d", rng.standard_normal((2, 3, 9, 9)), "float32", kernel_size=3, stride=2)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_geometries(2, dilated=False), st.booleans(), st.sampled_from([None, 1, 3]),
       st.integers(0, 2 ** 16))
def test_avg_pool2d_random_geometries_match_torch(geometry, count_include_pad, divisor, seed):
    shape, kwargs = geometry
    compare_pool("avg_pool2d", np.random.default_rng(seed).standard_normal(shape),
                 count_include_pad=count_include_pad, divisor_override=divisor, **kwargs)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_geometries(1, dilated=False), st.booleans(), st.integers(0, 2 ** 16))
def test_avg_pool1d_random_geometries_match_torch(geometry, count_include_pad, seed):
    shape, kwargs = geometry
    compare_pool("avg_pool1d", np.random.default_rng(seed).standard_normal(shape),
                 count_include_pad=count_include_pad, **kwargs)


def test_avg_pool3d_and_unbatched_inputs_match_torch():
    rng = np.random.default_rng(1)
    compare_pool("avg_pool3d", rng.standard_normal((1, 2, 4, 5, 3)), kernel_size=2, padding=1,
                 count_include_pad=False, ceil_mode=True)
    compare_pool("avg_pool2d", rng.standard_normal((3, 6, 5)), kernel_size=2)
    compare_pool("max_pool2d", rng.standard_normal((3, 6, 5)), kernel_size=2, return_indices=True)


@pytest.mark.parametrize("name", ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_adaptive_avg_pool_matches_torch(name, size):
    dims = int(name[-2])
    shape = (2, 3) + (7, 6, 5)[:dims]
    compare_pool(name, np.random.default_rng(size).standard_normal(shape), output_size=size)


def test_adaptive_avg_pool2d_none_and_larger_output_match_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 4))
    compare_pool("adaptive_avg_pool2d", x, output_size=(None, 3))
    compare_pool("adaptive_avg_pool2d", x, output_size=(7, 6))  # windows overlap and repeat
    compare_pool("adaptive_avg_pool2d", x[0], output_size=(2, 2))


@pytest.mark.parametrize("name, kwargs, shape", [
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1), (2, 3, 9, 8)),
    ("MaxPool2d", dict(kernel_size=2, dilation=2, ceil_mode=True), (2, 3, 9, 8)),
    ("MaxPool1d", dict(kernel_size=3), (2, 3, 10)),
    ("MaxPool3d", dict(kernel_size=2), (1, 2, 4, 5, 4)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), (2, 3, 9, 8)),
    ("AvgPool2d", dict(kernel_size=2, divisor_override=3), (2, 3, 6, 6)),
    ("AvgPool1d", dict(kernel_size=2, ceil_mode=True), (2, 3, 7)),
    ("AvgPool3d", dict(kernel_size=(1, 2, 2)), (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 2)), (2, 3, 7, 8)),
    ("AdaptiveAvgPool1d", dict(output_size=3), (2, 3, 7)),
    ("AdaptiveAvgPool3d", dict(output_size=2), (1, 2, 3, 4, 5)),
])
def test_layers_match_torch(name, kwargs, shape):
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == []
    x = np.random.default_rng(3).standard_normal(shape)
    ours_in, theirs_in = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(ours_in), theirs(theirs_in)
    assert_close(out_ours, out_theirs, "float64", "value")
    out_ours.sum().backward()
    out_theirs.sum().backward()
    assert_close(ours_in.grad, theirs_in.grad, "float64", "grad")


def test_max_pool_layer_returns_indices():
    x = np.random.default_rng(4).standard_normal((1, 2, 6, 6))
    values, indices = nn.MaxPool2d(2, return_indices=True)(ember.tensor(x))
    expected_values, expected_indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    np.testing.assert_array_equal(values.numpy(), expected_values.numpy())


def test_overlapping_max_pool_accumulates_gradient_on_shared_maxima():
    """A maximum picked by several windows receives all their gradients (stride < kernel)."""
    x = ember.tensor([[[0.0, 5.0, 1.0, 0.0]]], requires_grad=True)
    F.max_pool1d(x, 3, stride=1).sum().backward()
    assert x.grad.tolist() == [[[0.0, 2.0, 0.0, 0.0]]]


def test_max_pool_second_order_matches_torch():
    x = np.random.default_rng(5).standard_normal((1, 2, 5, 5))
    results = []
    for lib, pool in ((ember, F.max_pool2d), (torch, TF.max_pool2d)):
        xs = lib.tensor(x, requires_grad=True)
        (gx,) = lib.autograd.grad((pool(xs, 3, 1, 1) ** 2).sum(), xs, create_graph=True)
        (ggx,) = lib.autograd.grad((gx * lib.tensor(x)).sum(), xs)
        results.append(ggx.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: F.max_pool2d(ember.ones(1, 1, 5, 5), 2, padding=2), "pad should be at most half"),
    (lambda: F.avg_pool2d(ember.ones(1, 1, 2, 2), 3), r"output size \(0, 0\) is too small"),
    (lambda: F.max_pool2d(ember.ones(5, 5), 2), r"expected 3-D \(unbatched\) or 4-D \(batched\) input"),
    (lambda: F.max_pool2d(ember.ones(1, 1, 5, 5), 0), "must be greater than zero"),
    (lambda: F.max_pool1d(ember.ones(1, 1, 1), 2, 1, 1, 2), "lies entirely in the padding"),
])
def test_errors_are_clear(call, message):
    with pytest.raises(ember.ShapeError, match=message):
        call()
