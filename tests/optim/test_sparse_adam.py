"""SparseAdam on Ember's dense embedding gradients follows PyTorch's on sparse ones."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _tables(rows: int = 12, width: int = 4, seed: int = 0):
    weight = np.random.default_rng(seed).standard_normal((rows, width))
    mine = ember.nn.Embedding(rows, width, sparse=True).double()
    mine.weight.data = ember.tensor(weight.copy())
    theirs = torch.nn.Embedding(rows, width, sparse=True).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
    return weight, mine, theirs


@pytest.mark.parametrize("options", [dict(lr=0.05), dict(lr=0.02, betas=(0.8, 0.9), eps=1e-6),
                                     dict(lr=0.05, maximize=True)])
def test_trajectory_matches_pytorch_on_an_embedding(options):
    start, mine, theirs = _tables()
    ember_opt = ember.optim.SparseAdam(mine.parameters(), **options)
    torch_opt = torch.optim.SparseAdam(theirs.parameters(), **options)
    rng = np.random.default_rng(1)
    for step in range(15):
        indices = rng.integers(0, 8, size=5)  # rows 8-11 are never looked up
        target = rng.standard_normal((5, 4))
        for library, table, optimizer in ((ember, mine, ember_opt), (torch, theirs, torch_opt)):
            optimizer.zero_grad()
            ((table(library.tensor(indices)) - library.tensor(target)) ** 2).sum().backward()
            optimizer.step()
        np.testing.assert_allclose(mine.weight.detach().numpy(), theirs.weight.detach().numpy(),
                                   rtol=1e-5, atol=1e-8, err_msg=f"after step {step}")
    np.testing.assert_array_equal(mine.weight.detach().numpy()[8:], start[8:])
    state, torch_state = ember_opt.state[mine.weight], torch_opt.state[theirs.weight]
    np.testing.assert_allclose(state["exp_avg"].numpy(), torch_state["exp_avg"].numpy(), rtol=1e-5, atol=1e-12)
    assert float(state["step"]) == torch_state["step"] == 15


def test_entries_without_gradient_keep_weights_and_moments():
    w = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt = ember.optim.SparseAdam([w], lr=0.1)
    (w * ember.tensor([1.0, 0.0, -1.0])).sum().backward()
    opt.step()
    assert w.tolist()[1] == 2.0 and opt.state[w]["exp_avg"].tolist()[1] == 0.0
    assert w.tolist()[0] == pytest.approx(0.9) and w.tolist()[2] == pytest.approx(3.1)


def test_a_pytorch_state_dict_with_an_integer_step_loads():
    _, mine, theirs = _tables(seed=2)
    torch_opt = torch.optim.SparseAdam(theirs.parameters(), lr=0.05)
    theirs(torch.tensor([1, 2])).sum().backward()
    torch_opt.step()
    state = torch_opt.state_dict()
    assert state["state"][0]["step"] == 1  # PyTorch counts in a Python int
    state["state"] = {i: {k: v.numpy() if isinstance(v, torch.Tensor) else v for k, v in s.items()}
                      for i, s in state["state"].items()}
    mine.weight.data = ember.tensor(theirs.weight.detach().numpy().copy())
    ember_opt = ember.optim.SparseAdam(mine.parameters(), lr=0.05)
    ember_opt.load_state_dict(state)
    for library, table, optimizer in ((ember, mine, ember_opt), (torch, theirs, torch_opt)):
        optimizer.zero_grad()
        table(library.tensor([2, 3])).sum().backward()
        optimizer.step()
    np.testing.assert_allclose(mine.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-6)
