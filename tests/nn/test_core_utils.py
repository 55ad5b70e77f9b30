"""``ember.nn.utils``: gradient clipping and parameter/vector conversion against PyTorch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember import nn


def _twin_parameters(seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * scale for s in shapes]
    ours = [nn.Parameter(ember.tensor(a)) for a in arrays]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in arrays]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = ember.tensor(g), torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _twin_parameters()
    total_ours = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    total_theirs = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(total_ours.item(), total_theirs.item(), rtol=1e-5)
    assert total_ours.dtype == ember.float32
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(p.grad), q.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("norm_type", [0.0, -math.inf, 2.0])
def test_clip_grad_norm_rare_orders_and_half_precision_match_torch(norm_type):
    ours, theirs = _twin_parameters(seed=1)
    # float16 parameters and gradients: the norm accumulates in float32, as PyTorch's
    ours = [nn.Parameter(p.detach().half()) for p in ours]
    halves = [torch.nn.Parameter(q.detach().half()) for q in theirs]
    for p, q, r in zip(ours, halves, theirs):
        p.grad, q.grad = ember.tensor(r.grad.numpy()).half(), r.grad.half()
    theirs = halves
    total_ours = nn.utils.clip_grad_norm_(ours, 2.0, norm_type)
    total_theirs = torch.nn.utils.clip_grad_norm_(theirs, 2.0, norm_type)
    assert total_ours.dtype == ember.float16
    np.testing.assert_allclose(total_ours.item(), total_theirs.item(), rtol=1e-3)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(p.grad, dtype=np.float32), q.grad.float().numpy(), rtol=1e-3)


def test_clip_grad_norm_inside_a_traced_step_matches_torch():
    model, reference = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    reference.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)

    @ember.function
    def step(inputs):
        optimizer.zero_grad()
        (model(inputs) * 10).sum().backward()
        total = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return total

    for _ in range(3):  # the traced graph is replayed: clipping must read the live gradients
        total = step(ember.tensor(x))
        reference_optimizer.zero_grad()
        (reference(torch.tensor(x)) * 10).sum().backward()
        expected = torch.nn.utils.clip_grad_norm_(reference.parameters(), 1.0)
        reference_optimizer.step()
        np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-5)
    np.testing.assert_allclose(model.weight.detach().numpy(), reference.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_edge_cases():
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.zeros(2))], 1.0).item() == 0.0  # no grads
    single = nn.Parameter(ember.zeros(2))
    single.grad = ember.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 10.0).item() == pytest.approx(5.0)  # a lone tensor
    single.grad = ember.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(single, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_on_a_module_after_backward():
    model = nn.Linear(3, 2)
    (model(ember.ones(4, 3)) * 100).sum().backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    total = math.sqrt(sum(float((p.grad * p.grad).sum()) for p in model.parameters()))
    assert total == pytest.approx(1.0, rel=1e-4)


def test_clip_grad_value_matches_torch():
    ours, theirs = _twin_parameters()
    nn.utils.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(np.asarray(p.grad), q.grad.numpy())


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = _twin_parameters()
    vec_ours = nn.utils.parameters_to_vector(ours)
    vec_theirs = torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(np.asarray(vec_ours.detach()), vec_theirs.detach().numpy())
    vec_ours.sum().backward()  # differentiable, like torch.cat of views
    assert all(p.grad is not None for p in ours)
    replacement = np.arange(vec_theirs.numel(), dtype=np.float32)
    nn.utils.vector_to_parameters(ember.tensor(replacement), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(replacement), theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(np.asarray(p.detach()), q.detach().numpy())
    with pytest.raises(RuntimeError, match="expected a vector of"):
        nn.utils.vector_to_parameters(ember.zeros(3), ours)
