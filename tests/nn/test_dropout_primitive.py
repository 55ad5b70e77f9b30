"""The fused ``dropout_apply`` primitive behind ``F.dropout``: gradients, vmap, compiled runs."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.nn import functional as F


def test_one_node_and_the_gradient_is_the_same_mask():
    x = ember.tensor(np.random.default_rng(0).standard_normal((6, 7)).astype(np.float32), requires_grad=True)
    out = F.dropout(x, 0.3)
    assert out._node.prim.name == "dropout_apply"
    out.backward(ember.ones(6, 7))
    kept = out.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, np.float32(1 / 0.7), 0))
    assert 0 < kept.mean() < 1


@pytest.mark.parametrize("randomness", ["same", "different"])
def test_vmapped_gradients_use_each_example_mask(randomness):
    x = ember.ones(4, 50)
    grads = ember.func.vmap(ember.func.grad(lambda v: F.dropout(v, 0.5).sum()), randomness=randomness)(x).numpy()
    assert set(np.unique(grads)) <= {0.0, 2.0}
    assert (grads == grads[0]).all() == (randomness == "same")


def test_compiled_step_draws_like_eager_under_one_seed():
    x = ember.tensor(np.random.default_rng(1).standard_normal((5, 8)).astype(np.float32))

    def loss(inputs):
        inputs.requires_grad_(True)
        value = (F.dropout(inputs, 0.4) ** 2).sum()
        value.backward()
        return value.detach(), inputs.grad

    ember.manual_seed(3)
    eager = [loss(ember.tensor(x.numpy())) for _ in range(2)]
    ember.manual_seed(3)
    compiled = ember.function(loss)
    for expected in eager:
        result = compiled(ember.tensor(x.numpy()))
        for a, b in zip(result, expected):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
