"""The fused ``layer_norm`` primitive behind ``F.layer_norm``/``nn.LayerNorm``: the paths the
reference table does not reach (vmap, compiled steps, ONNX, half precision), against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

RNG = np.random.default_rng(0)
X, W, B = (RNG.standard_normal(s).astype(np.float32) for s in ((3, 4, 6), (6,), (6,)))


def test_one_node_per_layer_norm():
    out = F.layer_norm(ember.tensor(X, requires_grad=True), (6,), ember.tensor(W), ember.tensor(B))
    assert out._node.prim.name == "layer_norm"


@pytest.mark.parametrize("in_dims", [(0, None, None), (0, 0, 0), (None, 0, 0)])
def test_vmap_matches_torch(in_dims):
    weights, biases = np.stack([W, W * 2, -W]), np.stack([B, B - 1, B * 3])
    operands = [X, weights, biases]
    operands = [a if d == 0 else a[0] for a, d in zip(operands, in_dims)]
    ours = ember.func.vmap(lambda x, w, b: F.layer_norm(x, (6,), w, b), in_dims=in_dims)(
        *(ember.tensor(a) for a in operands))
    theirs = torch.func.vmap(lambda x, w, b: torch.nn.functional.layer_norm(x, (6,), w, b), in_dims=in_dims)(
        *(torch.tensor(a) for a in operands))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)


def test_compiled_step_matches_eager():
    models = [nn.Sequential(nn.Linear(6, 6), nn.LayerNorm(6)) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    optimizers = [ember.optim.SGD(m.parameters(), lr=0.1) for m in models]

    def step(model, optimizer, x):
        optimizer.zero_grad()
        loss = (model(x) * ember.tensor(X)).sum()
        loss.backward()
        optimizer.step()
        return loss

    compiled = ember.function(lambda x: step(models[1], optimizers[1], x))
    for _ in range(3):
        expected = step(models[0], optimizers[0], ember.tensor(X))
        np.testing.assert_allclose(compiled(ember.tensor(X)).item(), expected.item(), rtol=1e-5)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_half_precision_matches_torch():
    ours = ember.tensor(X.astype(np.float16), requires_grad=True)
    theirs = torch.tensor(X.astype(np.float16), requires_grad=True)
    out = F.layer_norm(ours, (4, 6))
    expected = torch.nn.functional.layer_norm(theirs, (4, 6))
    assert out.dtype == ember.float16
    np.testing.assert_allclose(out.detach().numpy().astype(np.float32), expected.detach().float().numpy(),
                               rtol=2e-3, atol=2e-3)
    out.sum().backward()
    expected.sum().backward()
    assert ours.grad.dtype == ember.float16
    np.testing.assert_allclose(ours.grad.numpy().astype(np.float32), theirs.grad.float().numpy(), atol=2e-3)


@pytest.mark.parametrize("opset", [13, 17])
def test_onnx_export_runs_in_onnxruntime(opset):
    onnxruntime = pytest.importorskip("onnxruntime")
    model = nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5))
    proto = ember.onnx.export(model, (ember.tensor(X),), opset_version=opset)
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    (result,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(result, model(ember.tensor(X)).detach().numpy(), rtol=1e-5, atol=1e-5)
