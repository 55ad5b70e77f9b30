"""The fused ``mse_loss`` primitive: one node, vmap per-example losses, ONNX, and the
composite fallback for weights and broadcasting, against PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import functional as F

RNG = np.random.default_rng(0)
X, Y = (RNG.standard_normal((4, 3)).astype(np.float32) for _ in range(2))


def test_one_node_and_empty_mean_is_nan_without_warnings():
    assert F.mse_loss(ember.tensor(X, requires_grad=True), ember.tensor(Y))._node.prim.name == "mse_loss"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(F.mse_loss(ember.zeros(0), ember.zeros(0)).item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_per_example_losses_and_gradients_under_vmap(reduction):
    def ours(x, y):
        return F.mse_loss(x, y, reduction=reduction)

    def theirs(x, y):
        return torch.nn.functional.mse_loss(x, y, reduction=reduction)

    result = ember.func.vmap(ours, in_dims=(0, None))(ember.tensor(X), ember.tensor(Y[0]))
    expected = torch.func.vmap(theirs, in_dims=(0, None))(torch.tensor(X), torch.tensor(Y[0]))
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-6)
    grads = ember.func.vmap(ember.func.grad(lambda x, y: ours(x, y).sum()))(ember.tensor(X), ember.tensor(Y))
    expected = torch.func.vmap(torch.func.grad(lambda x, y: theirs(x, y).sum()))(torch.tensor(X), torch.tensor(Y))
    np.testing.assert_allclose(grads.numpy(), expected.numpy(), rtol=1e-6)


def test_weighted_and_broadcast_losses_still_match_torch():
    weight = RNG.uniform(0.5, 2.0, (4, 3)).astype(np.float32)
    ours = F.mse_loss(ember.tensor(X), ember.tensor(Y), weight=ember.tensor(weight))
    assert ours.item() == pytest.approx(float((weight * (X - Y) ** 2).sum() / weight.sum()), rel=1e-6)
    with pytest.warns(UserWarning, match="target size"):
        ours = F.mse_loss(ember.tensor(X), ember.tensor(Y[0]))
    assert ours.item() == pytest.approx(torch.nn.functional.mse_loss(torch.tensor(X), torch.tensor(Y[0])).item())


def test_onnx_export_runs_in_onnxruntime():
    onnxruntime = pytest.importorskip("onnxruntime")
    target = ember.tensor(Y)
    proto = ember.onnx.export(lambda x: F.mse_loss(x, target, reduction="sum"), (ember.tensor(X),))
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    (result,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(result, ((X - Y) ** 2).sum(), rtol=1e-5)
