"""Indexing cases worth naming one by one (the table in ops_table_shape draws the rest)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

VALUES = np.arange(24.0).reshape(2, 3, 4)

# index expressions written once, applied to both frameworks
INDICES = {
    "int": lambda m: 1,
    "negative_int": lambda m: -1,
    "slice_step": lambda m: (slice(None), slice(0, 3, 2)),
    "ellipsis": lambda m: (Ellipsis, 1),
    "none": lambda m: (None, 0, None),
    "list": lambda m: [1, 0, 1],
    "integer_tensor": lambda m: m.tensor([[0, 1], [1, 1]]),
    "zero_dim_tensor": lambda m: m.tensor(1),
    "bool_mask": lambda m: m.tensor([[True, False, True], [False, False, True]]),
    "bool_scalar": lambda m: True,
    "int_then_array": lambda m: (0, slice(None), m.tensor([1, 3])),
    "arrays_split_by_slice": lambda m: (m.tensor([0, 1]), slice(None), m.tensor([2, 3])),
    "array_int_array": lambda m: (m.tensor([0, 1]), 2, m.tensor([3, 0])),
    "int_array_adjacent": lambda m: (1, m.tensor([2, 0, 2])),
    "zero_dim_tensor_then_array": lambda m: (m.tensor(0), slice(None), m.tensor([1, 2])),
    "mask_then_slice": lambda m: (m.tensor([True, False]), slice(1, None)),
    # "What is torch.nn really?": input[range(target.shape[0]), target]
    "range_then_array": lambda m: (range(2), m.tensor([2, 0])),
}


@pytest.mark.parametrize("name", sorted(INDICES))
def test_getitem_forward_and_gradient_match_torch(name):
    x = ember.tensor(VALUES, requires_grad=True)
    reference = torch.tensor(VALUES, requires_grad=True)
    mine, expected = x[INDICES[name](ember)], reference[INDICES[name](torch)]
    np.testing.assert_array_equal(mine.detach().numpy(), expected.detach().numpy())
    weights = np.random.default_rng(0).standard_normal(expected.shape)
    (mine * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy())


def test_repeated_integer_indices_accumulate_gradients():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    matrix = ember.zeros(2, 2, requires_grad=True)
    (matrix[ember.tensor([1, 1]), ember.tensor([0, 0])] * ember.tensor([2.0, 5.0])).sum().backward()
    assert matrix.grad.tolist() == [[0.0, 0.0], [7.0, 0.0]]


def test_negative_step_slices_follow_numpy():
    """PyTorch refuses negative steps; Ember accepts them with NumPy's meaning (documented)."""
    x = ember.tensor(VALUES, requires_grad=True)
    y = x[::-1, 2::-2]
    np.testing.assert_array_equal(y.detach().numpy(), VALUES[::-1, 2::-2])
    y.sum().backward()
    expected = np.zeros_like(VALUES)
    expected[:, [2, 0]] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_basic_indexing_returns_a_view():
    x = ember.zeros(2, 3)
    row = x[1, ::2]
    row.fill_(5.0)
    assert x.tolist() == [[0.0, 0.0, 0.0], [5.0, 0.0, 5.0]]


@pytest.mark.parametrize("index", [3, -4, (0, 5), [0, 3], (slice(None), [4])], ids=repr)
def test_out_of_range_indices_raise_index_error(index):
    with pytest.raises(IndexError):
        ember.zeros(3, 4)[index]


def test_float_index_is_refused():
    with pytest.raises(IndexError):
        ember.zeros(3)[ember.tensor([0.0])]


# --- __setitem__ ----------------------------------------------------------------
SETITEMS = {
    "slice_scalar": (lambda m: (slice(None), 1), lambda m, v: 0.5),
    "mask_scalar": (lambda m: m.tensor([[True, False, True, False]] * 3), lambda m, v: -1.0),
    "row_tensor": (lambda m: 1, lambda m, v: v[1]),
    "array_broadcast": (lambda m: (m.tensor([0, 2]), slice(None)), lambda m, v: v[:1]),
    "int_and_array": (lambda m: (m.tensor([2, 0]), 3), lambda m, v: v[0, :2]),
}


@pytest.mark.parametrize("name", sorted(SETITEMS))
def test_setitem_on_graph_tensors_matches_torch(name):
    index, value = SETITEMS[name]
    base = np.arange(12.0).reshape(3, 4)
    source = np.linspace(-1, 1, 8).reshape(2, 4)

    def run(module):
        x = module.tensor(base, requires_grad=True)
        v = module.tensor(source, requires_grad=True)
        y = x * 2
        y[index(module)] = value(module, v)
        (y * y).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), v.grad

    mine, expected = run(ember), run(torch)
    np.testing.assert_allclose(mine[0], expected[0])
    np.testing.assert_allclose(mine[1], expected[1])
    if expected[2] is not None:
        np.testing.assert_allclose(mine[2].numpy(), expected[2].numpy())


def test_setitem_value_that_requires_grad_makes_the_target_require_grad():
    """Fails while Tensor._snapshot returns the tensor itself (see the in-place tests)."""
    target = ember.zeros(3)
    value = ember.tensor(2.0, requires_grad=True)
    target[1] = value
    assert target.requires_grad
    (target * ember.tensor([1.0, 3.0, 5.0])).sum().backward()
    assert value.grad.item() == 3.0


def test_setitem_on_a_leaf_that_requires_grad_raises():
    x = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        x[0] = 1.0


def test_setitem_masking_pattern_without_grad():
    x = ember.tensor([-1.0, 2.0, -3.0])
    x[x < 0] = 0.0
    assert x.tolist() == [0.0, 2.0, 0.0]
