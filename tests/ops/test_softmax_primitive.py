"""The fused ``softmax``/``log_softmax`` primitives beyond the reference table: one node each,
vmap, compiled code, ONNX, half precision and 0-d inputs, against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

X = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(np.float32)
PAIRS = [(ember.softmax, torch.softmax), (ember.log_softmax, torch.log_softmax)]


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_one_node_and_torch_gradients(ours, theirs):
    x, reference = ember.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out = ours(x, 1)
    assert out._node.prim.name == ours.__name__  # not exp/sum/div
    weights = np.random.default_rng(1).standard_normal(X.shape).astype(np.float32)
    (out * ember.tensor(weights)).sum().backward()
    (theirs(reference, 1) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_vmap_matches_torch(ours, theirs):
    result = ember.func.vmap(lambda x: ours(x, -1), in_dims=1)(ember.tensor(X))
    expected = torch.func.vmap(lambda x: theirs(x, -1), in_dims=1)(torch.tensor(X))
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_compiled_forward_and_gradient_match_eager(ours, theirs):
    def loss(x):
        x.requires_grad_(True)
        value = (ours(x, 2) ** 2).sum()
        value.backward()
        return value, x.grad

    eager = loss(ember.tensor(X))
    compiled = ember.function(loss)(ember.tensor(X))
    for a, b in zip(compiled, eager):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_half_precision_and_zero_d_match_torch():
    half = X.astype(np.float16)
    for ours, theirs in PAIRS:
        np.testing.assert_allclose(ours(ember.tensor(half), 0).numpy().astype(np.float32),
                                   theirs(torch.tensor(half), 0).float().numpy(), rtol=1e-3, atol=1e-3)
        assert ours(ember.tensor(half), 0).dtype == ember.float16
        assert ours(ember.tensor(2.0), 0).item() == theirs(torch.tensor(2.0), 0).item()


def test_onnx_export_runs_in_onnxruntime():
    onnxruntime = pytest.importorskip("onnxruntime")
    model = ember.nn.Sequential(ember.nn.Linear(5, 3), ember.nn.Softmax(dim=-1))
    proto = ember.onnx.export(model, (ember.tensor(X),))
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    (result,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(result, model(ember.tensor(X)).detach().numpy(), rtol=1e-5, atol=1e-6)
