"""Sizes must be integers: a float size raises TypeError as in PyTorch, instead of being truncated."""
import numpy
import pytest
import torch

import ember

CALLS = {
    "zeros_float": lambda m: m.zeros(2.7),
    "ones_tuple_float": lambda m: m.ones((2, 1.5)),
    "randn_float": lambda m: m.randn(2.5),
    "rand_second_float": lambda m: m.rand(2, 3.0),
    "empty_list_float": lambda m: m.empty([1.0]),
    "full_float": lambda m: m.full((2.0,), 1.0),
    "randint_float_size": lambda m: m.randint(0, 3, (2.5,)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_float_sizes_raise_type_error_like_pytorch(name):
    with pytest.raises(TypeError):
        CALLS[name](torch)
    with pytest.raises(TypeError, match="tuple of ints.*float at pos"):
        CALLS[name](ember)


def test_integer_like_sizes_still_work():
    assert ember.zeros(numpy.int64(2), 3).shape == (2, 3)
    assert ember.ones((ember.tensor(2), 1)).shape == (2, 1)
    assert ember.randn(0).shape == (0,)
