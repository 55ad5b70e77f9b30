"""The fused ``linear`` primitive behind ``F.linear``/``nn.Linear``: the paths the reference
table does not reach (vmap with per-example weights, compiled steps, ONNX, errors)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.errors import DTypeError, ShapeError
from ember.nn import functional as F


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


def test_one_graph_node_per_linear():
    x, w, b = (ember.tensor(a, requires_grad=True) for a in _arrays((2, 3, 4), (5, 4), (5,)))
    out = F.linear(x, w, b)
    assert out._node is not None and out._node.prim.name == "linear"  # not matmul/permute/add


@pytest.mark.parametrize("batched", [(0, None, None), (0, 0, 0), (None, 0, None), (0, 0, None)])
def test_vmap_matches_torch_with_per_example_weights(batched):
    x, w, b = _arrays((3, 2, 4), (3, 5, 4), (3, 5))
    operands = [a if d == 0 else a[0] for a, d in zip((x, w, b), batched)]
    ours = ember.func.vmap(F.linear, in_dims=batched)(*(ember.tensor(a) for a in operands))
    theirs = torch.func.vmap(torch.nn.functional.linear, in_dims=batched)(*(torch.tensor(a) for a in operands))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_per_sample_gradients_match_torch():
    x, w, b = _arrays((4, 3), (2, 3), (2,))

    def loss(weight, bias, example, library):
        return (library.nn.functional.linear(example, weight, bias) ** 2).sum()

    grads = ember.func.vmap(ember.func.grad(lambda w_, b_, e: loss(w_, b_, e, ember), argnums=(0, 1)),
                            in_dims=(None, None, 0))(ember.tensor(w), ember.tensor(b), ember.tensor(x))
    expected = torch.func.vmap(torch.func.grad(lambda w_, b_, e: loss(w_, b_, e, torch), argnums=(0, 1)),
                               in_dims=(None, None, 0))(torch.tensor(w), torch.tensor(b), torch.tensor(x))
    for ours, theirs in zip(grads, expected):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_compiled_training_step_matches_eager():
    x, y = _arrays((8, 4), (8, 2))
    models = [nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    optimizers = [ember.optim.Adam(m.parameters(), lr=0.01) for m in models]

    def step(model, optimizer, inputs, targets):
        optimizer.zero_grad()
        loss = F.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    compiled = ember.function(lambda inputs, targets: step(models[1], optimizers[1], inputs, targets))
    for _ in range(3):
        eager = step(models[0], optimizers[0], ember.tensor(x), ember.tensor(y))
        traced = compiled(ember.tensor(x), ember.tensor(y))
        np.testing.assert_allclose(traced.item(), eager.item(), rtol=1e-5)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_onnx_export_runs_in_onnxruntime():
    onnxruntime = pytest.importorskip("onnxruntime")
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, bias=False))
    (x,) = _arrays((2, 5, 4))
    proto = ember.onnx.export(model, (ember.tensor(x),))
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    (result,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(result, model(ember.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_errors_name_linear_and_the_shapes():
    x, w = ember.ones(2, 4), ember.ones(3, 4)
    with pytest.raises(ShapeError, match=r"linear: bias of shape \(2,\) does not fit weight of shape \(3, 4\)"):
        F.linear(x, w, ember.ones(2))
    with pytest.raises(DTypeError, match="linear: operands must share one dtype"):
        F.linear(x, w.double())
    with pytest.raises(ShapeError, match="linear: input of shape"):
        F.linear(ember.ones(2, 5), w)


@pytest.mark.parametrize("bias_shape", [(), (1,), (2, 3)])
def test_broadcast_biases_match_torch(bias_shape):
    x, w, b = _arrays((2, 4), (3, 4), bias_shape)
    ours = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    (F.linear(*ours) ** 2).sum().backward()
    (torch.nn.functional.linear(*theirs) ** 2).sum().backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
