"""Where Ember deliberately departs from PyTorch (each is documented at the op)."""
from __future__ import annotations

import pytest
import torch

import ember


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round"])
def test_rounding_ops_are_not_differentiable(name):
    """PyTorch returns zero gradients; Ember keeps these ops out of the graph (ember.primitives.elementwise)."""
    x = ember.tensor([0.3, -1.7], requires_grad=True)
    result = getattr(ember, name)(x)
    assert not result.requires_grad
    with pytest.raises(RuntimeError):
        result.sum().backward()
    reference = torch.tensor([0.3, -1.7], requires_grad=True)
    getattr(torch, name)(reference).sum().backward()
    assert reference.grad.tolist() == [0.0, 0.0]
    (x + getattr(ember, name)(x)).sum().backward()  # mixed with differentiable terms: same as PyTorch
    assert x.grad.tolist() == [1.0, 1.0]


def test_negative_slice_steps_are_accepted():
    """PyTorch raises ValueError; Ember follows NumPy (ember.ops.functions.getitem)."""
    with pytest.raises(ValueError):
        torch.arange(4)[::-1]
    assert ember.arange(4)[::-1].tolist() == [3, 2, 1, 0]


def test_view_refuses_memory_it_cannot_reinterpret_like_torch():
    data = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    with pytest.raises(RuntimeError):
        torch.tensor(data).T.view(6)
    with pytest.raises(RuntimeError, match="use .reshape"):
        ember.tensor(data).T.view(6)
    assert ember.tensor(data).T.contiguous().view(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert ember.tensor(data).T.is_contiguous() is False
