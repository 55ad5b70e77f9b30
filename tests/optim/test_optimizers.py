"""Every optimizer follows PyTorch's parameter trajectory over 50 steps."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

STEPS = 50

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.005, weight_decay=0.05, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.8, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.002, momentum=0.5, centered=True, eps=1e-4, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.1, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(lr=1.0, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.8, 0.99))),
    ("NAdam", dict(lr=0.005, maximize=True, eps=1e-6)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.8, 0.9))),
    ("RAdam", dict(lr=0.01, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.01, t0=5, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05))),
    ("Rprop", dict(lr=0.01, maximize=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, d=1.5, beta2_decay=-0.5)),
    ("Adafactor", dict(lr=0.02, eps=(1e-20, 1e-2), maximize=True)),
]


def _ids(case):
    name, options = case
    return name + "-" + ",".join(f"{key}={value}" for key, value in options.items())


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_pytorch(case, problem):
    name, options = case
    mine, theirs = problem.both_sides(seed=1)
    ember_opt = getattr(ember.optim, name)(mine.params, **options)
    torch_opt = getattr(torch.optim, name)(theirs.params, **options)
    for step in range(STEPS):
        np.testing.assert_allclose(mine.train_step(ember_opt), theirs.train_step(torch_opt), rtol=1e-5)
        problem.assert_same_params(mine, theirs, step)


ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop",
       "Adafactor"]


@pytest.mark.parametrize("name", ALL)
def test_float32_trajectory_with_the_same_gradients(name, problem):
    """float32: PyTorch's gradients are fed to both, so only the update rules are compared."""
    options = dict(lr=0.01, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.01)
    mine, theirs = problem.both_sides(seed=2, dtype=np.float32)
    ember_opt = getattr(ember.optim, name)(mine.params, **options)
    torch_opt = getattr(torch.optim, name)(theirs.params, **options)
    for step in range(STEPS):
        theirs.train_step(torch_opt, before_step=lambda: _copy_grads(theirs, mine))
        ember_opt.step()
        # atol: a few float32 ulps of the weights' scale, for entries crossing zero
        problem.assert_same_params(mine, theirs, step, rtol=1e-5, atol=1e-6)


def _copy_grads(source, target):
    for theirs, mine in zip(source.params, target.params):
        mine.grad = ember.tensor(theirs.grad.numpy().copy())


def _groups(library, params):
    return [{"params": params[:2]}, {"params": params[2:], "lr": 0.02, "momentum": 0.5}]


def test_parameter_groups_use_their_own_options(problem):
    mine, theirs = problem.both_sides(seed=3)
    ember_opt = ember.optim.SGD(_groups(ember, mine.params), lr=0.1, momentum=0.9)
    torch_opt = torch.optim.SGD(_groups(torch, theirs.params), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)
    assert [g["momentum"] for g in ember_opt.param_groups] == [0.9, 0.5]


def test_add_param_group_later_matches_pytorch(problem):
    mine, theirs = problem.both_sides(seed=4)
    ember_opt = ember.optim.Adam(mine.params[:2], lr=0.01)
    torch_opt = torch.optim.Adam(theirs.params[:2], lr=0.01)
    for step in range(STEPS):
        if step == 10:
            ember_opt.add_param_group({"params": mine.params[2:], "lr": 0.003})
            torch_opt.add_param_group({"params": theirs.params[2:], "lr": 0.003})
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)


def test_parameters_without_grad_are_skipped_and_get_no_state():
    w = ember.ones(3, requires_grad=True)
    unused = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([w, unused], lr=0.1)
    (w * 2).sum().backward()
    opt.step()
    assert unused.tolist() == [1.0, 1.0] and unused not in opt.state
    assert list(opt.state) == [w]


def test_step_updates_in_place_and_bumps_the_version():
    w = ember.ones(3, requires_grad=True)
    array = w._data
    opt = ember.optim.SGD([w], lr=0.5, momentum=0.9)
    before = w._version_value
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w._data is array, "the update must write into the parameter's own array"
    assert w._version_value == before + 3


def test_step_does_not_change_the_gradient():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.1, weight_decay=0.5, maximize=True)
    (w * 3).sum().backward()
    opt.step()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


def test_step_reuses_scratch_arrays(problem):
    side, _ = problem.both_sides(seed=0)
    opt = ember.optim.Adam(side.params, lr=0.01, weight_decay=0.1, amsgrad=True)
    side.train_step(opt)
    scratch = dict(opt._scratch.arrays)
    state_arrays = [id(t._data) for s in opt.state.values() for t in s.values()]
    side.train_step(opt)
    assert opt._scratch.arrays == scratch
    assert [id(t._data) for s in opt.state.values() for t in s.values()] == state_arrays


def test_step_with_closure_returns_the_loss(problem):
    side, _ = problem.both_sides(seed=0)
    opt = ember.optim.SGD(side.params, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = side.loss()
        loss.backward()
        return loss

    first = opt.step(closure)
    assert float(opt.step(closure)) < float(first)


def test_zero_grad_to_none_or_zeros():
    w = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("make, message", [
    (lambda: ember.optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda: ember.optim.SGD([ember.ones(2, requires_grad=True) * 2], lr=0.1), "non-leaf"),
    (lambda: ember.optim.SGD([[1.0]], lr=0.1), "only optimize Tensors"),
    (lambda: ember.optim.SGD({ember.ones(2, requires_grad=True)}, lr=0.1), "ordered"),
    (lambda: ember.optim.SGD(ember.ones(2, requires_grad=True), lr=0.1), "iterable of Tensors"),
    (lambda: ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=-1.0), "learning rate"),
    (lambda: ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.1, nesterov=True), "Nesterov"),
    (lambda: ember.optim.Adam([ember.ones(1, requires_grad=True)], betas=(1.0, 0.9)), "beta"),
    (lambda: ember.optim.Adadelta([ember.ones(1, requires_grad=True)], rho=1.5), "rho"),
    (lambda: ember.optim.Adadelta([ember.ones(1, requires_grad=True)], eps=-1e-6), "epsilon"),
    (lambda: ember.optim.Adamax([ember.ones(1, requires_grad=True)], betas=(0.9, -0.1)), "index 1"),
    (lambda: ember.optim.NAdam([ember.ones(1, requires_grad=True)], momentum_decay=-1.0), "momentum_decay"),
    (lambda: ember.optim.RAdam([ember.ones(1, requires_grad=True)], weight_decay=-0.1), "weight_decay"),
    (lambda: ember.optim.ASGD([ember.ones(1, requires_grad=True)], lr=-0.1), "learning rate"),
    (lambda: ember.optim.Rprop([ember.ones(1, requires_grad=True)], etas=(1.2, 0.5)), "eta values"),
    (lambda: ember.optim.SparseAdam([ember.ones(1, requires_grad=True)], lr=0.0), "learning rate"),
    (lambda: ember.optim.LBFGS([ember.ones(1, requires_grad=True)], line_search_fn="armijo"), "strong_wolfe"),
    (lambda: ember.optim.LBFGS([{"params": [ember.ones(1, requires_grad=True)]},
                                {"params": [ember.ones(1, requires_grad=True)]}]), "parameter groups"),
    (lambda: ember.optim.Adam([ember.ones(1, requires_grad=True)], foreach=True, fused=True), "cannot be"),
    (lambda: ember.optim.NAdam([ember.ones(1, requires_grad=True)], differentiable=True), "differentiable"),
    (lambda: ember.optim.Adafactor([ember.ones(1, requires_grad=True)], beta2_decay=0.5), "beta2_decay"),
    (lambda: ember.optim.Adafactor([ember.ones(1, requires_grad=True)], d=0.5), "Clipping threshold"),
    (lambda: ember.optim.Adafactor([ember.ones(1, requires_grad=True)], eps=(-1.0, 1e-3)), "epsilon1"),
])
def test_bad_arguments_are_refused_clearly(make, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        make()


@pytest.mark.parametrize("name", ALL)
def test_bad_arguments_are_refused_where_pytorch_refuses_them(name):
    """A negative learning rate fails in both, with the same kind of error."""
    for library in (ember, torch):
        with pytest.raises(ValueError, match="Invalid learning rate|Learning rate should be >= 0"):
            getattr(library.optim, name)([library.ones(1, requires_grad=True)], lr=-0.5)


@pytest.mark.parametrize("name", ALL)
def test_maximize_climbs_where_minimize_descends(name):
    """maximize=True follows +grad: the loss rises by about what it falls without it."""
    results = []
    for maximize in (False, True):
        w = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
        opt = getattr(ember.optim, name)([w], lr=0.01, maximize=maximize)
        for _ in range(5):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        results.append(float((w * w).sum()))
    assert results[0] < 5.25 < results[1]


@pytest.mark.parametrize("name", ALL)
def test_foreach_fused_and_capturable_change_nothing(name, problem):
    """Ember has one update rule: the implementation switches PyTorch offers give identical steps."""
    import inspect
    accepted = inspect.signature(getattr(ember.optim, name)).parameters
    switches = {key: value for key, value in dict(foreach=True, capturable=True).items() if key in accepted}
    if "fused" in accepted:
        switches = {**switches, "foreach": False, "fused": True}
    plain, switched = problem.both_sides(seed=12)[0], problem.both_sides(seed=12)[0]
    first = getattr(ember.optim, name)(plain.params, lr=0.01)
    second = getattr(ember.optim, name)(switched.params, lr=0.01, **switches)
    for _ in range(3):
        plain.train_step(first)
        switched.train_step(second)
    for a, b in zip(plain.arrays(), switched.arrays()):
        np.testing.assert_array_equal(a, b)
    assert all(second.param_groups[0][key] == value for key, value in switches.items())


def test_duplicate_parameters_across_groups_are_refused():
    w = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        ember.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


@pytest.mark.parametrize("name", ALL + ["LBFGS", "SparseAdam"])
def test_defaults_and_signature_match_pytorch(name):
    """The same keywords, in the same order, with the same defaults (foreach, fused ... included)."""
    import inspect
    mine = getattr(ember.optim, name)([ember.ones(1, requires_grad=True)]).defaults
    theirs = getattr(torch.optim, name)([torch.ones(1, requires_grad=True)]).defaults
    assert mine == theirs
    ours = inspect.signature(getattr(ember.optim, name)).parameters
    reference = inspect.signature(getattr(torch.optim, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == \
        [(p.name, p.kind, p.default) for p in reference.values()]


@pytest.mark.parametrize("name, options", [
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.01)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01)),
    ("ASGD", dict(lr=0.01, t0=3)),
    ("Rprop", dict(lr=0.01)),
])
def test_large_and_non_contiguous_parameters_follow_pytorch(name, options):
    """Parameters updated in pieces (and a transposed gradient) take the same steps."""
    from ember.optim.update_helpers import WHOLE
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(shape).astype(np.float32) for shape in [(3, WHOLE // 3 + 1001), (40, 30)]]
    mine = [ember.tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ember_opt = getattr(ember.optim, name)(mine, **options)
    torch_opt = getattr(torch.optim, name)(theirs, **options)
    for step in range(10):
        grads = [rng.standard_normal(a.shape).astype(np.float32) for a in start]
        for param, grad in zip(theirs, grads):
            param.grad = torch.tensor(grad)
        mine[0].grad = ember.tensor(grads[0])
        mine[1].grad = ember.tensor(np.ascontiguousarray(grads[1].T)).t()  # a non-contiguous view
        ember_opt.step()
        torch_opt.step()
        for ours, reference in zip(mine, theirs):
            np.testing.assert_allclose(ours.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_adafactor_factors_batches_of_matrices_as_pytorch():
    """A 3-D parameter keeps per-matrix row and column averages; float32 and a 0-d parameter too."""
    rng = np.random.default_rng(5)
    start = [rng.standard_normal((2, 4, 3)).astype(np.float32), np.float32(0.7)]
    mine = [ember.tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ember_opt, torch_opt = ember.optim.Adafactor(mine, lr=0.05), torch.optim.Adafactor(theirs, lr=0.05)
    for _ in range(10):
        grads = [rng.standard_normal(np.shape(a)).astype(np.float32) for a in start]
        for ours, reference, grad in zip(mine, theirs, grads):
            ours.grad, reference.grad = ember.tensor(grad), torch.tensor(grad)
        ember_opt.step()
        torch_opt.step()
        for ours, reference in zip(mine, theirs):
            np.testing.assert_allclose(ours.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ember_opt.state[mine[0]]["row_var"].shape == (2, 4, 1)
    assert ember_opt.state[mine[0]]["col_var"].shape == (2, 1, 3)
