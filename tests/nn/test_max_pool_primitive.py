"""The fused max pooling primitives (``max_pool``, ``max_pool_grad``) against PyTorch.

The gradient must reach the element PyTorch picks: the first maximum of each
window in ties, a NaN over any number, only real (unpadded) elements; and a
non-finite incoming gradient must stay in its window's argmax.
"""
from __future__ import annotations

import numpy
import pytest
import torch

import ember
import ember.nn.functional as F
from ember.primitives import nn as nn_ops

GEOMETRIES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=1),
    dict(kernel_size=3, stride=2, dilation=2),
    dict(kernel_size=(2, 3), stride=(2, 3)),
]


def _both(x, g, **kwargs):
    ours = ember.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(ours, **kwargs)
    expected = torch.nn.functional.max_pool2d(theirs, **kwargs)
    (out * ember.tensor(g)).sum().backward()
    (expected * torch.tensor(g)).sum().backward()
    return out.detach().numpy(), expected.detach().numpy(), ours.grad.numpy(), theirs.grad.numpy()


@pytest.mark.parametrize("kwargs", GEOMETRIES)
def test_ties_send_the_gradient_to_the_first_maximum(kwargs):
    rng = numpy.random.default_rng(0)
    x = rng.integers(0, 3, (2, 3, 9, 9)).astype(numpy.float64)  # many tied windows
    shape = torch.nn.functional.max_pool2d(torch.tensor(x), **kwargs).shape
    g = rng.standard_normal(tuple(shape))
    out, expected, grad, expected_grad = _both(x, g, **kwargs)
    numpy.testing.assert_array_equal(out, expected)
    numpy.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=0)


def test_nan_input_wins_its_window_and_takes_the_gradient():
    x = numpy.array([[[[1.0, numpy.nan, 5.0, 2.0], [3.0, 2.0, 1.0, 0.0]]]])
    out, expected, grad, expected_grad = _both(x, numpy.ones((1, 1, 1, 2)), kernel_size=2)
    numpy.testing.assert_array_equal(out, expected)
    numpy.testing.assert_array_equal(grad, expected_grad)


def test_non_finite_gradient_stays_at_the_argmax():
    x = numpy.arange(16.0).reshape(1, 1, 4, 4)
    g = numpy.array([[[[numpy.inf, 1.0], [numpy.nan, -numpy.inf]]]])
    _, _, grad, expected_grad = _both(x, g, kernel_size=2)
    numpy.testing.assert_array_equal(grad, expected_grad)  # NaN == NaN here; zeros stay zeros


@pytest.mark.parametrize("kwargs", GEOMETRIES[:3])
def test_second_derivative_matches_pytorch(kwargs):
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((1, 2, 7, 7))
    ours, theirs = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_ours = ember.ones(F.max_pool2d(ours, **kwargs).shape, requires_grad=True)
    g_theirs = torch.ones(torch.nn.functional.max_pool2d(theirs, **kwargs).shape, requires_grad=True)
    (grad,) = ember.autograd.grad(F.max_pool2d(ours, **kwargs), ours, g_ours, create_graph=True)
    (expected,) = torch.autograd.grad(torch.nn.functional.max_pool2d(theirs, **kwargs), theirs, g_theirs,
                                      create_graph=True)
    weights = rng.standard_normal(x.shape)
    (grad * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    numpy.testing.assert_allclose(g_ours.grad.numpy(), g_theirs.grad.numpy(), rtol=1e-12)


def test_compiled_step_agrees_with_eager():
    x = numpy.random.default_rng(2).standard_normal((2, 3, 8, 8)).astype(numpy.float32)

    def gradient(t):
        t = t.detach().requires_grad_()
        (F.max_pool2d(t, 3, stride=2, padding=1) ** 2).sum().backward()
        return t.grad

    compiled = ember.function(gradient)(ember.tensor(x))
    numpy.testing.assert_array_equal(compiled.numpy(), gradient(ember.tensor(x)).numpy())


def test_gradient_shape_mismatch_is_a_clear_error():
    x = ember.ones(1, 1, 4, 4)
    with pytest.raises(ember.errors.ShapeError, match="max_pool_grad"):
        nn_ops.max_pool_grad(x, ember.ones(1, 1, 3, 3), (2, 2), (2, 2), (0, 0), (1, 1), False)
