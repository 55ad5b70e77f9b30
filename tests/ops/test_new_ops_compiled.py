"""The sorting, scatter, special and linalg primitives under ``ember.function``: traced values and
gradients (backward inside the trace) equal eager ones."""
from __future__ import annotations

import numpy as np
import pytest

import ember

OPS = {
    "sort": lambda x: ember.sort(x, 1).values,
    "topk": lambda x: ember.topk(x, 2).values,
    "cumprod": lambda x: ember.cumprod(x, 1),
    "logcumsumexp": lambda x: ember.logcumsumexp(x, 1),
    "cummax": lambda x: ember.cummax(x, 1).values,
    "median": lambda x: ember.median(x, 1).values,
    "quantile": lambda x: ember.quantile(x, 0.3, dim=1),
    "kthvalue": lambda x: ember.kthvalue(x, 2, 1).values,
    "scatter_reduce": lambda x: ember.scatter_reduce(x, 1, ember.tensor([[0, 0, 1]] * 3), x, "amax"),
    "index_add": lambda x: ember.index_add(x, 0, ember.tensor([0, 0]), x[:2]),
    "roll": lambda x: ember.roll(x, 1, 0),
    "inv": lambda x: ember.linalg.inv(x + 3 * ember.eye(3)),
    "det": lambda x: ember.linalg.det(x + 3 * ember.eye(3)),
    "eigh": lambda x: ember.linalg.eigh(x + x.T).eigenvalues,
    "svdvals": lambda x: ember.linalg.svdvals(x),
    "qr": lambda x: ember.linalg.qr(x).R,
    "cholesky": lambda x: ember.linalg.cholesky(x @ x.T + ember.eye(3)),
    "matrix_exp": lambda x: ember.linalg.matrix_exp(x * 0.3),
    "solve": lambda x: ember.linalg.solve(x + 3 * ember.eye(3), x),
    "hypot": lambda x: ember.hypot(x, x + 2),
    "digamma": lambda x: ember.digamma(x.abs() + 1),
}

X = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(OPS))
def test_compiled_value_and_gradient_equal_eager(name):
    op = OPS[name]

    def step(x):
        x = x.detach().requires_grad_(True)
        y = op(x)
        loss = (y * y).sum()
        loss.backward()
        return loss, x.grad

    eager_loss, eager_grad = step(ember.tensor(X))
    traced_loss, traced_grad = ember.function(step)(ember.tensor(X))
    np.testing.assert_allclose(traced_loss.detach().numpy(), eager_loss.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(traced_grad.detach().numpy(), eager_grad.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_multinomial_and_searchsorted_trace():
    @ember.function
    def draw(weights):
        return ember.multinomial(weights, 2), ember.searchsorted(ember.tensor([0.5]), weights)

    picks, places = draw(ember.tensor([[0.2, 0.8, 0.0]]))
    assert picks.shape == (1, 2) and sorted(picks.tolist()[0]) == [0, 1]
    assert places.tolist() == [[0, 1, 0]]
