"""Layers, losses and optimizers on the stand-in device give the CPU's numbers (forward and gradients).

The stand-in (tests/helpers/standin.py) refuses NumPy arrays and implicit NumPy
conversion as CuPy does, so a layer that builds a constant on the CPU, or calls
NumPy on its operand, fails here instead of on a GPU.
"""
from __future__ import annotations

import numpy
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from tests.helpers.standin import StandinArray, registered


@pytest.fixture(autouse=True)
def standin():
    with registered() as namespace:
        yield namespace


def _randn(*shape):
    return lambda: ember.randn(*shape, generator=ember.Generator().manual_seed(1))


LAYERS = {
    "Embedding": (lambda: nn.Embedding(10, 4), lambda: ember.tensor([[1, 2], [3, 9]])),
    "LSTM": (lambda: nn.LSTM(4, 5, batch_first=True), _randn(2, 3, 4)),
    "GRU (2 layers)": (lambda: nn.GRU(4, 5, num_layers=2), _randn(3, 2, 4)),
    "MultiheadAttention (self-attention)": (lambda: _SelfAttention(), _randn(2, 3, 8)),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True),
                                _randn(2, 3, 8)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), _randn(2, 2, 9)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2), _randn(1, 2, 5, 5)),
    "Conv2d groups and dilation": (lambda: nn.Conv2d(4, 4, 3, groups=2, dilation=2), _randn(1, 4, 7, 7)),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, 2, padding=1), _randn(1, 2, 7, 7)),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((3, 2)), _randn(1, 2, 7, 5)),
    "MaxPool1d": (lambda: nn.MaxPool1d(2), _randn(1, 2, 8)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), _randn(2, 4, 3)),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3), _randn(2, 3, 4, 4)),
    "Dropout2d": (lambda: nn.Dropout2d(0.3), _randn(2, 3, 4, 4)),
    "PReLU, GELU, SiLU, Softmax": (lambda: nn.Sequential(nn.PReLU(), nn.GELU(), nn.SiLU(), nn.Softmax(-1)),
                                   _randn(2, 3)),
}


class _SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x):
        return self.attention(x, x, x)[0]


def _run(name, device):
    make, data = LAYERS[name]
    ember.manual_seed(0)
    module = make().to(device)
    x = data().to(device)
    if x.dtype.is_floating_point:
        x.requires_grad_(True)
    out = module(x)
    out = out[0] if isinstance(out, tuple) else out
    out.sum().backward()
    grads = [p.grad for p in [*module.parameters(), x] if p.grad is not None]
    return out, grads


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers_match_the_cpu(name):
    expected, expected_grads = _run(name, "cpu")
    out, grads = _run(name, "standin")
    assert type(out._data) is StandinArray and all(type(g._data) is StandinArray for g in grads)
    numpy.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert len(grads) == len(expected_grads)
    for ours, theirs in zip(grads, expected_grads):
        numpy.testing.assert_allclose(ours.cpu().numpy(), theirs.numpy(), rtol=1e-4, atol=1e-5)


LOSSES = {
    "cross_entropy with weights and smoothing": lambda x, d: F.cross_entropy(
        x, ember.tensor([0, 2], device=d), weight=ember.tensor([1.0, 2.0, 3.0], device=d), label_smoothing=0.1),
    "nll_loss with ignore_index": lambda x, d: F.nll_loss(F.log_softmax(x, 1), ember.tensor([0, -100], device=d)),
    "binary_cross_entropy(_with_logits)": lambda x, d: F.binary_cross_entropy_with_logits(
        x, ember.full((2, 3), 0.3, device=d)) + F.binary_cross_entropy(x.sigmoid(), ember.full((2, 3), 0.3, device=d)),
    "kl_div": lambda x, d: F.kl_div(F.log_softmax(x, 1), F.softmax(x.detach() * 2, 1), reduction="batchmean"),
    "smooth_l1 and huber": lambda x, d: F.smooth_l1_loss(x, x.detach() * 0.5) + F.huber_loss(x, ember.zeros(2, 3, device=d)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_match_the_cpu(name):
    results = []
    for device in ("cpu", "standin"):
        x = _randn(2, 3)().to(device).requires_grad_(True)
        loss = LOSSES[name](x, device)
        loss.backward()
        results.append((loss.item(), x.grad.cpu().numpy()))
    (expected, expected_grad), (value, grad) = results
    assert value == pytest.approx(expected, rel=1e-5)
    numpy.testing.assert_allclose(grad, expected_grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "LBFGS", "Rprop", "ASGD"])
def test_optimizers_step_on_the_device_as_on_the_cpu(name):
    weights = []
    for device in ("cpu", "standin"):
        ember.manual_seed(0)
        model = nn.Linear(3, 2).to(device)
        optimizer = getattr(ember.optim, name)(model.parameters(), lr=0.01)
        inputs = ember.ones(2, 3, device=device)

        def closure():
            optimizer.zero_grad()
            loss = model(inputs).pow(2).sum()
            loss.backward()
            return loss
        for _ in range(2):
            optimizer.step(closure)
        assert all(type(value._data) is StandinArray for state in optimizer.state.values()
                   for value in state.values() if isinstance(value, ember.Tensor)) or device == "cpu"
        weights.append(model.weight.detach().cpu().numpy())
    numpy.testing.assert_allclose(weights[1], weights[0], rtol=1e-5, atol=1e-6)
