"""Tensor.repeat returns a tensor with its own writable memory, as PyTorch's does."""
import numpy as np

import ember


def test_repeat_result_can_be_written_in_place():
    base = ember.ones(1, 3)
    tiled = base.repeat(2, 1)
    tiled.div_(2.0)
    tiled[0, 0] = 5.0
    np.testing.assert_array_equal(tiled.numpy(), [[5.0, 0.5, 0.5], [0.5, 0.5, 0.5]])
    np.testing.assert_array_equal(base.numpy(), [[1.0, 1.0, 1.0]])


def test_repeat_gradient_sums_the_copies():
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    (x.repeat(3, 2) * ember.arange(12.0).view(3, 4)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0 + 2 + 4 + 6 + 8 + 10, 1 + 3 + 5 + 7 + 9 + 11]])
