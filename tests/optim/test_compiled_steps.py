"""A training step compiled with ``ember.function`` updates exactly as the eager step does.

The update functions are what the compiler traces, so every optimizer's
step (its data-dependent choices included: RAdam's switch to the adaptive
step, ASGD's start of averaging, Rprop's sign flips) must be expressible
as a graph, and its state must be written back after each call.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import nn

CASES = [
    ("Adadelta", dict(lr=0.5, weight_decay=0.01)),
    ("Adamax", dict(lr=0.01, maximize=False)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01)),  # rho passes 5 at step 6: both branches run
    ("ASGD", dict(lr=0.05, t0=3, lambd=0.01)),
    ("Rprop", dict(lr=0.01)),
    ("SparseAdam", dict(lr=0.01)),
    ("Adafactor", dict(lr=0.02, weight_decay=0.01)),  # its first step's lerp takes the other form
]


def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()


def _state_arrays(optimizer):
    return [np.asarray(value.numpy()) for entries in optimizer.state.values() for value in entries.values()]


@pytest.mark.parametrize("name, options", CASES, ids=[c[0] for c in CASES])
def test_compiled_training_step_equals_eager(name, options):
    models = [_model(), _model()]
    optimizers = [getattr(ember.optim, name)(model.parameters(), **options) for model in models]

    def make_step(model, optimizer):
        def step(x, y):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            return loss
        return step

    eager = make_step(models[0], optimizers[0])
    compiled = ember.function(make_step(models[1], optimizers[1]))
    rng = np.random.default_rng(0)
    for _ in range(10):
        x, y = ember.tensor(rng.standard_normal((6, 5))), ember.tensor(rng.standard_normal((6, 3)))
        assert float(compiled(x, y)) == pytest.approx(float(eager(x, y)), rel=1e-10)
    for ours, theirs in zip(models[1].parameters(), models[0].parameters()):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-14)
    for ours, theirs in zip(_state_arrays(optimizers[1]), _state_arrays(optimizers[0])):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
