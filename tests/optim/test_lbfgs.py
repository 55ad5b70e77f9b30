"""LBFGS follows PyTorch's iterations, evaluations and state, with and without the strong-Wolfe search."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

# Steps are few enough that round-off (amplified ~100x per step of 20 inner iterations here)
# stays inside the 1e-5 comparison whatever BLAS build sums the matmuls.
CASES = [
    (dict(), 3),
    (dict(line_search_fn="strong_wolfe"), 4),
    (dict(history_size=3, max_iter=7), 5),
    (dict(history_size=2, max_iter=10, lr=0.5, line_search_fn="strong_wolfe"), 5),
    (dict(lr=0.1, tolerance_change=1e-3, max_eval=12), 5),
    (dict(max_iter=1), 25),
]


def closure_for(side, optimizer):
    def closure():
        optimizer.zero_grad()
        loss = side.loss()
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize("options, steps", CASES, ids=[str(c[0]) for c in CASES])
def test_trajectory_and_counters_match_pytorch(options, steps, problem):
    mine, theirs = problem.both_sides(seed=1)
    ember_opt = ember.optim.LBFGS(mine.params, **options)
    torch_opt = torch.optim.LBFGS(theirs.params, **options)
    for step in range(steps):
        ours = ember_opt.step(closure_for(mine, ember_opt))
        reference = torch_opt.step(closure_for(theirs, torch_opt))
        assert float(ours) == pytest.approx(float(reference.detach()), rel=1e-5)
        problem.assert_same_params(mine, theirs, step)
        state, torch_state = ember_opt.state[mine.params[0]], torch_opt.state[theirs.params[0]]
        assert list(state) == list(torch_state)
        assert (state["func_evals"], state["n_iter"]) == (torch_state["func_evals"], torch_state["n_iter"])
        assert len(state["old_dirs"]) == len(torch_state["old_dirs"])


def test_strong_wolfe_solves_a_least_squares_problem():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((20, 5)), rng.standard_normal(20)
    w = ember.zeros(5, dtype=ember.float64, requires_grad=True)
    matrix, target = ember.tensor(a), ember.tensor(b)
    opt = ember.optim.LBFGS([w], line_search_fn="strong_wolfe", max_iter=50, tolerance_change=1e-14,
                            tolerance_grad=1e-12)

    def closure():
        opt.zero_grad()
        loss = ((matrix @ w - target) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(w.detach().numpy(), np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-6, atol=1e-8)


def test_float32_parameters_follow_pytorch(problem):
    mine, theirs = problem.both_sides(seed=3, dtype=np.float32)
    ember_opt = ember.optim.LBFGS(mine.params, line_search_fn="strong_wolfe", max_iter=5)
    torch_opt = torch.optim.LBFGS(theirs.params, line_search_fn="strong_wolfe", max_iter=5)
    for step in range(2):
        ember_opt.step(closure_for(mine, ember_opt))
        torch_opt.step(closure_for(theirs, torch_opt))
        problem.assert_same_params(mine, theirs, step, rtol=1e-4, atol=1e-5)
    assert ember_opt.state[mine.params[0]]["d"].dtype == ember.float32


def test_step_without_a_closure_is_explained():
    opt = ember.optim.LBFGS([ember.ones(2, requires_grad=True)])
    with pytest.raises(TypeError, match="(?s)needs a closure.*loss.backward"):
        opt.step()


def test_a_stationary_point_returns_after_one_evaluation():
    w = ember.zeros(3, requires_grad=True)
    opt = ember.optim.LBFGS([w])

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert dict(opt.state[w]) == {"func_evals": 1, "n_iter": 0}


def test_parameters_without_gradients_count_as_zero(problem):
    mine, theirs = problem.both_sides(seed=4)
    unused = ember.ones(3, requires_grad=True)
    torch_unused = torch.ones(3, requires_grad=True)
    ember_opt = ember.optim.LBFGS(mine.params + [unused], max_iter=5)
    torch_opt = torch.optim.LBFGS(theirs.params + [torch_unused], max_iter=5)
    for step in range(2):
        ember_opt.step(closure_for(mine, ember_opt))
        torch_opt.step(closure_for(theirs, torch_opt))
        problem.assert_same_params(mine, theirs, step)
    assert unused.tolist() == [1.0, 1.0, 1.0]


def _to_numpy(value):
    if isinstance(value, list):
        return [_to_numpy(item) for item in value]
    return value.numpy().copy() if isinstance(value, torch.Tensor) else value


def _to_torch(value):
    if isinstance(value, list):
        return [_to_torch(item) for item in value]
    return torch.tensor(value.numpy().copy()) if isinstance(value, ember.Tensor) else value


@pytest.mark.parametrize("direction", ["torch-to-ember", "ember-to-torch"])
def test_state_dicts_move_between_frameworks_and_resume(direction, problem):
    """Three steps in one framework, its state dict loaded by the other, then both go on alike."""
    options = dict(history_size=4, max_iter=6, line_search_fn="strong_wolfe")
    mine, theirs = problem.both_sides(seed=5)
    ember_opt = ember.optim.LBFGS(mine.params, **options)
    torch_opt = torch.optim.LBFGS(theirs.params, **options)
    if direction == "torch-to-ember":
        for _ in range(3):
            torch_opt.step(closure_for(theirs, torch_opt))
        for param, trained in zip(mine.params, theirs.params):
            param.data = ember.tensor(trained.detach().numpy().copy())
        saved = torch_opt.state_dict()
        saved["state"] = {index: {key: _to_numpy(value) for key, value in values.items()}
                          for index, values in saved["state"].items()}
        ember_opt.load_state_dict(saved)
    else:
        for _ in range(3):
            ember_opt.step(closure_for(mine, ember_opt))
        with torch.no_grad():
            for param, trained in zip(theirs.params, mine.params):
                param.copy_(torch.tensor(trained.detach().numpy()))
        saved = ember_opt.state_dict()
        saved["state"] = {index: {key: _to_torch(value) for key, value in values.items()}
                          for index, values in saved["state"].items()}
        torch_opt.load_state_dict(saved)
    for step in range(3):
        ember_opt.step(closure_for(mine, ember_opt))
        torch_opt.step(closure_for(theirs, torch_opt))
        problem.assert_same_params(mine, theirs, step)


def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


@pytest.mark.parametrize("start, direction, step, max_ls", [
    ([-1.2, 1.0], [1.0, 0.0], 1.0, 25),     # overshoots: an interval, then zooming
    ([-1.2, 1.0], [0.2, -0.1], 0.01, 25),   # too short: extrapolation first
    ([0.5, 0.5], [0.3, 0.1], 5.0, 3),       # runs out of evaluations
    ([2.0, 2.0], [-1.0, -1.0], 1.0, 25),
])
def test_line_search_picks_pytorch_steps(start, direction, step, max_ls):
    """The strong-Wolfe search alone, on the Rosenbrock function, against PyTorch's."""
    from torch.optim.lbfgs import _strong_wolfe
    from ember.optim.line_search import strong_wolfe

    def evaluate_torch(x, t, d):
        point = (x + t * d).detach().requires_grad_()
        loss = _rosenbrock(point)
        loss.backward()
        return float(loss.detach()), point.grad

    x, d = torch.tensor(start, dtype=torch.float64), torch.tensor(direction, dtype=torch.float64)
    loss, grad = evaluate_torch(x, 0.0, d)
    expected = _strong_wolfe(evaluate_torch, x, step, d, loss, grad, grad.dot(d), max_ls=max_ls)

    def evaluate(t):
        loss, grad = evaluate_torch(x, float(t), d)
        return loss, grad.numpy()

    found = strong_wolfe(evaluate, step, d.numpy(), loss, grad.numpy(), grad.numpy().dot(d.numpy()),
                         max_ls=max_ls)
    assert found[3] == expected[3], "the number of evaluations"
    np.testing.assert_allclose(float(found[2]), float(expected[2]), rtol=1e-12)
    np.testing.assert_allclose(found[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(found[1], expected[1].numpy(), rtol=1e-12)


def test_round_trip_through_a_file_resumes_identically(problem, tmp_path):
    """LBFGS's state (lists of tensors, numbers, unset coefficients) survives ember.save/load."""
    options = dict(history_size=3, max_iter=4, line_search_fn="strong_wolfe")
    arrays = problem.initial_arrays(seed=6)
    straight = problem.Side(ember, arrays)
    optimizer = ember.optim.LBFGS(straight.params, **options)
    expected = [float(optimizer.step(closure_for(straight, optimizer))) for _ in range(5)]

    first = problem.Side(ember, arrays)
    optimizer = ember.optim.LBFGS(first.params, **options)
    losses = [float(optimizer.step(closure_for(first, optimizer))) for _ in range(2)]
    path = tmp_path / "lbfgs.safetensors"
    ember.save({"params": first.params, "optimizer": optimizer.state_dict()}, path)
    checkpoint = ember.load(path)
    resumed = problem.Side(ember, arrays)
    for param, saved in zip(resumed.params, checkpoint["params"]):
        param.data = saved
    optimizer = ember.optim.LBFGS(resumed.params, **options)
    optimizer.load_state_dict(checkpoint["optimizer"])
    losses += [float(optimizer.step(closure_for(resumed, optimizer))) for _ in range(3)]
    assert losses == expected
    for mine, reference in zip(resumed.arrays(), straight.arrays()):
        np.testing.assert_array_equal(mine, reference)
