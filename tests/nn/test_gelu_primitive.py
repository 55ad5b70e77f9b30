"""The fused exact GELU and its derivative primitive: one node, higher orders, vmap, ONNX."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.nn import functional as F

X = (np.random.default_rng(0).standard_normal((3, 7)) * 2).astype(np.float32)


def test_one_node_and_third_order_gradients_match_torch():
    ours, theirs = ember.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out = F.gelu(ours)
    assert out._node.prim.name == "gelu"
    first, = ember.autograd.grad(out.sum(), ours, create_graph=True)
    second, = ember.autograd.grad(first.sum(), ours, create_graph=True)
    third, = ember.autograd.grad(second.sum(), ours)
    expected = [torch.nn.functional.gelu(theirs).sum()]
    for _ in range(3):
        expected.append(torch.autograd.grad(expected[-1].sum(), theirs, create_graph=True)[0])
    for mine, reference in zip((first, second, third), expected[1:]):
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_per_example_gradients_under_vmap():
    grads = ember.func.vmap(ember.func.grad(lambda x: F.gelu(x).sum()))(ember.tensor(X))
    expected = torch.func.vmap(torch.func.grad(lambda x: torch.nn.functional.gelu(x).sum()))(torch.tensor(X))
    np.testing.assert_allclose(grads.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_onnx_export_runs_in_onnxruntime():
    onnxruntime = pytest.importorskip("onnxruntime")
    model = ember.nn.Sequential(ember.nn.Linear(7, 4), ember.nn.GELU())
    proto = ember.onnx.export(model, (ember.tensor(X),))
    session = onnxruntime.InferenceSession(proto.SerializeToString())
    (result,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(result, model(ember.tensor(X)).detach().numpy(), rtol=1e-5, atol=1e-6)
