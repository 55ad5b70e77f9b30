"""Pickling and deep-copying a tensor keeps its values and requires_grad, not its graph or view
relation, as PyTorch's tensors do; expanded (broadcast) views pickle too."""
import copy
import pickle

import numpy as np
import torch

import ember


def round_trip(value):
    return pickle.loads(pickle.dumps(value))


def test_expanded_view_pickles_like_pytorch():
    base = np.array([1.0, 2.0], dtype=np.float32)
    ours = round_trip(ember.tensor(base, requires_grad=True).expand(3, 2))
    theirs = round_trip(torch.tensor(base, requires_grad=True).expand(3, 2))
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert ours.requires_grad == theirs.requires_grad and ours.is_leaf


def test_pickled_view_is_independent_of_its_base():
    base = ember.tensor([1.0, 2.0, 3.0])
    view = round_trip(base[1:])
    view.add_(10.0)
    assert base.tolist() == [1.0, 2.0, 3.0] and view.tolist() == [12.0, 13.0]


def test_deepcopy_of_a_result_is_a_trainable_leaf_without_the_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    copied = copy.deepcopy(x * 3)
    assert copied.grad_fn is None and copied.requires_grad and copied.is_leaf
    copied.sum().backward()
    assert copied.grad.tolist() == [1.0, 1.0] and x.grad is None


def test_grad_and_dtype_survive_a_pickle():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    (x * x).sum().backward()
    again = round_trip(x)
    assert again.dtype == ember.float64 and again.grad.tolist() == [2.0, 4.0]
