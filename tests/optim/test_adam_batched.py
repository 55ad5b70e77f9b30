"""Adam updates small host parameters together (one call on their concatenated arrays).

The batched path must give exactly the per-parameter results: same dtype and
step count per batch, every state array written back, parameters without a
gradient or with another step count kept apart.
"""
import numpy as np
import pytest

import ember
import ember.optim.adam as adam_module


def _params(rng):
    shapes = [(3, 4), (4,), (5000,), (2, 2), (7,), (1,)]  # (5000,) is above BATCHED: its own update
    dtypes = [np.float32, np.float32, np.float32, np.float64, np.float64, np.float32]
    return [ember.tensor(rng.standard_normal(s).astype(d), requires_grad=True) for s, d in zip(shapes, dtypes)]


def _run(monkeypatch, batched: int, options: dict) -> tuple:
    monkeypatch.setattr(adam_module, "BATCHED", batched)
    rng = np.random.default_rng(0)
    params = _params(rng)
    optimizer = ember.optim.Adam(params, **options)
    for step in range(6):
        for number, param in enumerate(params):
            skip = number == 4 and step < 2  # a parameter that joins late has a smaller step count
            param.grad = None if skip else ember.tensor(rng.standard_normal(param.shape).astype(param.detach().numpy().dtype))
        optimizer.step()
    state = [{key: value.numpy().copy() for key, value in optimizer.state[p].items()} for p in params]
    return [p.detach().numpy().copy() for p in params], state


@pytest.mark.parametrize("options", [
    dict(lr=0.01),
    dict(lr=0.01, amsgrad=True, weight_decay=0.1),
    dict(lr=0.01, maximize=True, weight_decay=0.05, decoupled_weight_decay=True),
])
def test_batched_small_parameters_equal_per_parameter_updates_bit_for_bit(monkeypatch, options):
    batched_params, batched_state = _run(monkeypatch, 1 << 12, options)
    single_params, single_state = _run(monkeypatch, 0, options)
    for ours, reference in zip(batched_params, single_params):
        assert ours.dtype == reference.dtype
        np.testing.assert_array_equal(ours, reference)
    for ours, reference in zip(batched_state, single_state):
        assert ours.keys() == reference.keys()
        for key in ours:
            np.testing.assert_array_equal(ours[key], reference[key])


def test_batched_update_counts_steps_and_versions_per_parameter():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0], requires_grad=True)
    optimizer = ember.optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = ember.tensor([1.0, 1.0]), ember.tensor([1.0])
    saved = a * 1  # keeps nothing of a; the version still moves
    version = a._shared_version().value
    optimizer.step()
    assert a._shared_version().value == version + 1
    b.grad = None
    a.grad = ember.tensor([1.0, 1.0])
    optimizer.step()
    assert float(optimizer.state[a]["step"]) == 2.0 and float(optimizer.state[b]["step"]) == 1.0
    np.testing.assert_allclose(a.detach().numpy(), [0.8, 1.8], rtol=1e-6)  # Adam's first steps move by lr
    np.testing.assert_allclose(b.detach().numpy(), [2.9], rtol=1e-6)
    assert saved is not None
