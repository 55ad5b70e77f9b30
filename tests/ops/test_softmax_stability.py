"""softmax / log_softmax / logsumexp / sigmoid / softplus stay finite where naive formulas overflow."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

EXTREME_ROWS = [
    [1000.0, 1001.0, 1002.0],
    [-1e4, 0.0, 1e4],
    [-3e4, -3e4 + 1.0, -3e4 + 2.0],
    [88.0, 89.0, 90.0],        # exp overflows float32 just above 88.7
    [3e38, 3e38, -3e38],
]


@pytest.mark.parametrize("row", EXTREME_ROWS, ids=repr)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_is_finite_and_matches_torch_at_extremes(name, row):
    x = ember.tensor([row], requires_grad=True)
    reference = torch.tensor([row], requires_grad=True)
    mine, expected = getattr(ember, name)(x, -1), getattr(torch, name)(reference, -1)
    # finite wherever PyTorch is (only log_softmax of a 6e38 gap is -inf, in both)
    np.testing.assert_array_equal(np.isfinite(mine.detach().numpy()), np.isfinite(expected.detach().numpy()))
    np.testing.assert_allclose(mine.detach().numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6)
    weights = [[0.3, -1.2, 0.7]]
    (mine * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_with_masked_entries():
    scores = [[2.0, -np.inf, 0.5], [-np.inf, -np.inf, 1.0]]
    x = ember.tensor(scores, requires_grad=True)
    reference = torch.tensor(scores, requires_grad=True)
    np.testing.assert_allclose(ember.softmax(x, 1).detach().numpy(),
                               torch.softmax(reference, 1).detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ember.log_softmax(x, 1).detach().numpy(),
                               torch.log_softmax(reference, 1).detach().numpy(), rtol=1e-6)
    ember.softmax(x, 1)[:, 2].sum().backward()
    torch.softmax(reference, 1)[:, 2].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), atol=1e-7)


def test_softmax_sums_to_one_and_honours_dtype():
    x = ember.randn(4, 5, generator=ember.Generator().manual_seed(0)) * 50
    np.testing.assert_allclose(ember.softmax(x, 0).sum(0).numpy(), np.ones(5), rtol=1e-6)
    assert ember.softmax(x, 1, dtype=ember.float64).dtype == ember.float64
    assert ember.log_softmax(ember.tensor([1, 2, 3]), 0).dtype == ember.float32


@pytest.mark.parametrize("values", [[1e4, 1e4], [-1e4, -1e4 - 1], [-np.inf, -np.inf], [np.inf, 1.0]],
                         ids=repr)
def test_logsumexp_at_extremes_matches_torch(values):
    mine = ember.logsumexp(ember.tensor(values), 0)
    expected = torch.logsumexp(torch.tensor(values), 0)
    np.testing.assert_allclose(mine.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "silu", "gelu"])
def test_activations_saturate_without_overflow(name):
    values = [-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4]
    ember_fn = getattr(ember, name)
    torch_fn = getattr(torch, name, None) or getattr(torch.nn.functional, name)
    x, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    mine, expected = ember_fn(x), torch_fn(reference)
    np.testing.assert_allclose(mine.detach().numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-30)
    mine.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), rtol=1e-5, atol=1e-30)
