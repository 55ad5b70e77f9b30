"""A fused group that updates state in place writes over the state's array as soon as its
last reader runs (Adam's ``v * beta2`` straight into ``v``), and still computes what eager does."""
import numpy

import ember
from ember import nn


def adam_steps(compiled: bool, steps: int = 3):
    ember.manual_seed(0)
    model = nn.Linear(6, 3)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.01)
    x = ember.tensor(numpy.random.default_rng(0).standard_normal((5, 6)).astype(numpy.float32))

    def step(inputs):
        optimizer.zero_grad()
        loss = (model(inputs) ** 2).mean()
        loss.backward()
        optimizer.step()
        return loss
    run = ember.function(step) if compiled else step
    losses = [float(run(x)) for _ in range(steps)]
    return losses, model, optimizer, run, x


def test_second_moment_is_updated_in_its_own_array():
    _, model, optimizer, run, x = adam_steps(compiled=True)
    code = run.code(x)
    # v = v * 0.999 + g * g * 0.001: the multiply lands in v itself (before: a temporary buffer)
    lines = [line.strip() for line in code.splitlines() if "0.999, out=" in line and "_multiply(" in line]
    assert lines and all(line.startswith("_multiply(v") and line.split("out=")[1].rstrip(")") ==
                         line.split("(")[1].split(",")[0] for line in lines), lines


def test_compiled_adam_matches_eager():
    eager_losses, eager_model, eager_optimizer, _, _ = adam_steps(compiled=False)
    losses, model, optimizer, _, _ = adam_steps(compiled=True)
    numpy.testing.assert_allclose(losses, eager_losses, rtol=1e-6)
    for ours, theirs in zip(model.parameters(), eager_model.parameters()):
        numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-7)
        state, eager_state = optimizer.state[ours], eager_optimizer.state[theirs]
        for key in ("exp_avg", "exp_avg_sq"):
            numpy.testing.assert_allclose(state[key].numpy(), eager_state[key].numpy(), rtol=1e-6, atol=1e-9)
