"""Optimizer state dicts: PyTorch's layout, and a save/load round trip that resumes identically."""
from __future__ import annotations

import collections

import numpy as np
import pytest
import torch

import ember

CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.01)),
    ("Adamax", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01, t0=5)),
    ("Rprop", dict(lr=0.01)),
    ("Adafactor", dict(lr=0.02, weight_decay=0.01)),
]


def _groups(params):
    return [{"params": params[:3]}, {"params": params[3:], "lr": 0.002}]


@pytest.mark.parametrize("name, options", CASES, ids=[c[0] for c in CASES])
def test_layout_matches_pytorch(name, options, problem):
    mine, theirs = problem.both_sides(seed=5)
    ember_opt = getattr(ember.optim, name)(_groups(mine.params), **options)
    torch_opt = getattr(torch.optim, name)(_groups(theirs.params), **options)
    for _ in range(2):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
    ours, reference = ember_opt.state_dict(), torch_opt.state_dict()
    assert list(ours["state"]) == list(reference["state"])
    for index, values in reference["state"].items():
        assert list(ours["state"][index]) == list(values)
        for key, value in values.items():
            np.testing.assert_allclose(ours["state"][index][key].numpy(), value.numpy(), rtol=1e-6)
    for group, torch_group in zip(ours["param_groups"], reference["param_groups"]):
        assert group["params"] == torch_group["params"]
        assert group == torch_group  # every option, PyTorch's implementation switches too


@pytest.mark.parametrize("name, options", CASES, ids=[c[0] for c in CASES])
def test_round_trip_through_a_file_resumes_identically(name, options, problem, tmp_path):
    arrays = problem.initial_arrays(seed=6)
    straight = problem.Side(ember, arrays)
    optimizer = getattr(ember.optim, name)(_groups(straight.params), **options)
    straight_losses = [straight.train_step(optimizer) for _ in range(50)]

    first = problem.Side(ember, arrays)
    optimizer = getattr(ember.optim, name)(_groups(first.params), **options)
    losses = [first.train_step(optimizer) for _ in range(20)]
    path = tmp_path / "checkpoint.safetensors"
    ember.save({"params": first.params, "optimizer": optimizer.state_dict()}, path)
    del first, optimizer

    checkpoint = ember.load(path)
    resumed = problem.Side(ember, arrays)
    for param, saved in zip(resumed.params, checkpoint["params"]):
        param.data = saved
    optimizer = getattr(ember.optim, name)(_groups(resumed.params), **options)
    optimizer.load_state_dict(checkpoint["optimizer"])
    losses += [resumed.train_step(optimizer) for _ in range(30)]
    if name in ("NAdam", "ASGD"):
        # their float32 scalars (mu_product; eta, mu) load on the parameters' dtype, as PyTorch
        # casts them, so later steps round differently
        np.testing.assert_allclose(losses, straight_losses, rtol=1e-7)
        for mine, expected in zip(resumed.arrays(), straight.arrays()):
            np.testing.assert_allclose(mine, expected, rtol=1e-7)
        return
    assert losses == straight_losses
    for mine, expected in zip(resumed.arrays(), straight.arrays()):
        np.testing.assert_array_equal(mine, expected)


def test_loaded_state_is_a_copy_and_options_come_from_the_dict(problem):
    side, _ = problem.both_sides(seed=7)
    optimizer = ember.optim.Adam(side.params, lr=0.01)
    side.train_step(optimizer)
    saved = optimizer.state_dict()
    snapshot = saved["state"][0]["exp_avg"].numpy().copy()
    saved["param_groups"][0]["lr"] = 0.5
    other = ember.optim.Adam(side.params, lr=0.01)
    other.load_state_dict(saved)
    side.train_step(other)
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"].numpy(), snapshot)
    assert other.param_groups[0]["lr"] == 0.5
    assert other.param_groups[0]["params"] == side.params


def test_mismatched_state_dicts_are_refused(problem):
    side, _ = problem.both_sides(seed=8)
    saved = ember.optim.SGD(side.params, lr=0.1).state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        ember.optim.SGD(_groups(side.params), lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="has 4 parameters, but the optimizer's has 2"):
        ember.optim.SGD(side.params[:2], lr=0.1).load_state_dict(saved)


@pytest.mark.parametrize("name, options", CASES, ids=[c[0] for c in CASES])
def test_pytorch_optimizer_state_loads_into_ember(name, options, problem):
    """A PyTorch optimizer's state dict (tensors converted to NumPy) continues identically in Ember."""
    mine, theirs = problem.both_sides(seed=9)
    torch_opt = getattr(torch.optim, name)(_groups(theirs.params), **options)
    for _ in range(7):
        theirs.train_step(torch_opt)
    for param, trained in zip(mine.params, theirs.params):
        param.data = ember.tensor(trained.detach().numpy().copy())
    state = torch_opt.state_dict()
    state["state"] = {index: {key: value.numpy() for key, value in values.items()}
                      for index, values in state["state"].items()}
    ember_opt = getattr(ember.optim, name)(_groups(mine.params), lr=0.123)  # options come from the dict
    ember_opt.load_state_dict(state)
    for step in range(10):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)


@pytest.mark.parametrize("name, options", CASES, ids=[c[0] for c in CASES])
def test_ember_optimizer_state_loads_into_pytorch(name, options, problem):
    """And back: Ember's state dict (tensors converted to PyTorch's) continues identically in PyTorch."""
    mine, theirs = problem.both_sides(seed=10)
    ember_opt = getattr(ember.optim, name)(_groups(mine.params), **options)
    for _ in range(7):
        mine.train_step(ember_opt)
    with torch.no_grad():
        for param, trained in zip(theirs.params, mine.params):
            param.copy_(torch.tensor(trained.detach().numpy()))
    state = ember_opt.state_dict()
    state["state"] = {index: {key: torch.tensor(value.numpy()) for key, value in values.items()}
                      for index, values in state["state"].items()}
    torch_opt = getattr(torch.optim, name)(_groups(theirs.params), lr=0.123)
    torch_opt.load_state_dict(state)
    for step in range(10):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)


def test_state_is_a_defaultdict_as_in_pytorch():
    w = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.1)
    assert isinstance(opt.state, collections.defaultdict)
    assert opt.state[w] == {}  # reading an absent entry makes an empty one, as in PyTorch
    (w * w).sum().backward()
    opt.step()  # ... which the first step fills
    assert sorted(opt.state[w]) == ["exp_avg", "exp_avg_sq", "step"]
    opt.load_state_dict(opt.state_dict())
    assert isinstance(opt.state, collections.defaultdict)


def test_groups_added_later_are_numbered_after_the_first(problem):
    mine, theirs = problem.both_sides(seed=11)
    ember_opt = ember.optim.RAdam(mine.params[:1], lr=0.01)
    torch_opt = torch.optim.RAdam(theirs.params[:1], lr=0.01)
    ember_opt.add_param_group({"params": mine.params[1:], "lr": 0.002, "betas": (0.8, 0.9)})
    torch_opt.add_param_group({"params": theirs.params[1:], "lr": 0.002, "betas": (0.8, 0.9)})
    for _ in range(3):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
    ours, reference = ember_opt.state_dict(), torch_opt.state_dict()
    assert ours["param_groups"] == reference["param_groups"]
    assert list(ours["state"]) == list(reference["state"]) == [0, 1, 2, 3]


def test_an_old_state_dict_without_newer_options_gets_the_defaults(problem):
    side, _ = problem.both_sides(seed=12)
    optimizer = ember.optim.Adam(side.params, lr=0.01)
    side.train_step(optimizer)
    saved = optimizer.state_dict()
    for group in saved["param_groups"]:
        for key in ("foreach", "fused", "capturable", "differentiable", "decoupled_weight_decay"):
            del group[key]
    other = ember.optim.Adam(side.params, lr=0.01)
    other.load_state_dict(saved)
    side.train_step(other)
    assert other.param_groups[0]["decoupled_weight_decay"] is False and other.param_groups[0]["fused"] is None


def test_named_parameters_keep_their_names_as_in_pytorch():
    torch.manual_seed(0)
    reference_model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Tanh(), ember.nn.Linear(2, 1))
    ours = ember.optim.Adam(model.named_parameters(), lr=0.01).state_dict()
    reference = torch.optim.Adam(reference_model.named_parameters(), lr=0.01).state_dict()
    assert ours["param_groups"] == reference["param_groups"]
    assert ours["param_groups"][0]["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    named = list(model.named_parameters())
    with pytest.raises(ValueError, match="with/without names"):
        ember.optim.SGD([named[0], named[1][1]], lr=0.1)
    with pytest.raises(ValueError, match="with/without names"):
        ember.optim.SGD([{"params": named[:2]}, {"params": [p for _, p in named[2:]]}], lr=0.1)
