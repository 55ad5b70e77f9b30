"""Memory stays flat over many training steps: no graph, gradient or saved array may pile up."""
import gc
import tracemalloc

import numpy
import pytest

import ember

STEPS = 10_000
FIRST_CHECK = 1_000
TOLERANCE = 1 << 20  # 1 MiB over 9,000 steps: about 116 bytes a step


class TwoLayerNet:
    """A 2-layer MLP written with tensors only (no ember.nn), trained by plain SGD."""

    def __init__(self, rng):
        self.params = [
            ember.tensor(rng.standard_normal((8, 16)) * 0.3, requires_grad=True),
            ember.zeros(16, requires_grad=True),
            ember.tensor(rng.standard_normal((16, 1)) * 0.3, requires_grad=True),
            ember.zeros(1, requires_grad=True),
        ]

    def loss(self, inputs, targets):
        w1, b1, w2, b2 = self.params
        hidden = (inputs @ w1 + b1).tanh()
        return ((hidden @ w2 + b2 - targets) ** 2).mean()

    def step(self, inputs, targets, lr=0.05):
        loss = self.loss(inputs, targets)
        loss.backward()
        with ember.no_grad():
            for param in self.params:
                param.sub_(param.grad * lr)
                param.grad = None
        return loss.item()


def traced_bytes():
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def graph_bytes(model, inputs, targets):
    """What one step's graph holds before backward: the smallest leak this test must catch."""
    before = traced_bytes()
    loss = model.loss(inputs, targets)
    size = traced_bytes() - before
    del loss
    return size


@pytest.mark.slow
def test_memory_is_flat_over_10000_training_steps():
    rng = numpy.random.default_rng(0)
    inputs = ember.tensor(rng.standard_normal((32, 8)))
    targets = ember.tensor(rng.standard_normal((32, 1)))
    model = TwoLayerNet(rng)
    tracemalloc.start()
    try:
        losses = [model.step(inputs, targets) for _ in range(FIRST_CHECK)]
        at_first_check = traced_bytes()
        losses += [model.step(inputs, targets) for _ in range(STEPS - FIRST_CHECK)]
        growth = traced_bytes() - at_first_check
        one_graph = graph_bytes(model, inputs, targets)
    finally:
        tracemalloc.stop()
    assert (STEPS - FIRST_CHECK) * one_graph > 10 * TOLERANCE, "tolerance too loose to see a leak"
    assert growth < TOLERANCE, f"memory grew {growth} bytes from step {FIRST_CHECK} to {STEPS}"
    assert losses[-1] < losses[0] / 2, "the model did not train, so the steps were not real"
