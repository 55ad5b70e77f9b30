"""float16 reductions accumulate in float32 and cast back, as PyTorch does: 5,000 moderate
values (30.0, or random in [-30, 30]) give PyTorch's float16 results, not inf or nan."""
import numpy
import pytest
import torch

import ember
from ember.nn import functional as F

TF = torch.nn.functional

OPS = {
    "mean": (lambda x: x.mean(), lambda x: x.mean()),
    "mean_dim": (lambda x: x.reshape(50, 100).mean(1), lambda x: x.reshape(50, 100).mean(1)),
    "var": (lambda x: x.var(), lambda x: x.var()),
    "std": (lambda x: x.std(), lambda x: x.std()),
    "norm": (lambda x: x.norm(), lambda x: x.norm()),
    "layer_norm": (lambda x: F.layer_norm(x, (5000,)), lambda x: TF.layer_norm(x, (5000,))),
    "mse_loss": (lambda x: F.mse_loss(x, x * 0), lambda x: TF.mse_loss(x, x * 0)),
    "softmax": (lambda x: ember.softmax(x, 0), lambda x: torch.softmax(x, 0)),
}


def _values(kind):
    if kind == "constant":
        return numpy.full(5000, 30.0, numpy.float16)
    return numpy.random.default_rng(0).uniform(-30, 30, 5000).astype(numpy.float16)


@pytest.mark.parametrize("kind", ["constant", "random"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_float16_reductions_match_pytorch(name, kind):
    mine, reference = OPS[name]
    values = _values(kind)
    got = mine(ember.tensor(values))
    want = reference(torch.tensor(values))
    assert got.dtype == ember.float16
    got, want = got.numpy().astype(numpy.float64), want.numpy().astype(numpy.float64)
    assert numpy.isfinite(got).all()
    numpy.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-3)


def test_float16_gradients_flow_through_the_float32_accumulation():
    x = ember.tensor(_values("random"), requires_grad=True)
    x.var().backward()
    reference = torch.tensor(_values("random"), requires_grad=True)
    reference.var().backward()
    assert x.grad.dtype == ember.float16
    numpy.testing.assert_allclose(x.grad.numpy().astype(float), reference.grad.numpy().astype(float),
                                  rtol=1e-2, atol=1e-4)
