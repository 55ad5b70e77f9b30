"""Indexing with integer or boolean tensors copies (as in PyTorch): the result does not share its
source's version counter, so writing the source in place leaves the result's graph valid."""
import numpy as np
import pytest

import ember
from ember.errors import GradError


def test_in_place_write_to_the_source_of_an_integer_index_keeps_backward_valid():
    w = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    picked = x[ember.tensor([1, 0])]          # a copy
    out = (picked * w).sum()                    # mul saves picked for w's gradient
    x.div_(2.0)
    out.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [5.0, 7.0, 9.0])
    np.testing.assert_array_equal(picked.numpy(), [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]])


def test_reflect_pad_then_in_place_write_to_its_input():
    conv = ember.nn.Conv2d(1, 1, 3)
    x = ember.rand(1, 1, 4, 4)
    y = conv(ember.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"))
    x.div_(255.0)
    y.sum().backward()
    assert conv.weight.grad is not None


def test_a_basic_slice_is_still_a_view_and_still_guarded():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    row = x[1:]
    out = (row * w).sum()
    x.div_(2.0)
    with pytest.raises(GradError, match="modified by an in-place operation"):
        out.backward()
