"""Optimizer hooks run where PyTorch's run, with the same arguments."""
from __future__ import annotations

import pytest
import torch

import ember


def _record(library, name="SGD", **options):
    """The events each kind of hook sees over one step, a state_dict() and a load_state_dict()."""
    w = library.ones(2, requires_grad=True)
    optimizer = getattr(library.optim, name)([w], lr=0.1, **options)
    events = []
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: events.append(
        ("pre", opt is optimizer, args[0] is optimizer, len(args), sorted(kwargs))))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: events.append(("post", len(args))))
    optimizer.register_state_dict_pre_hook(lambda opt: events.append("state_dict pre"))
    optimizer.register_state_dict_post_hook(lambda opt, state: events.append(("state_dict post", sorted(state))))
    optimizer.register_state_dict_post_hook(lambda opt, state: events.append("first"), prepend=True)
    optimizer.register_load_state_dict_pre_hook(lambda opt, state: events.append("load pre"))
    optimizer.register_load_state_dict_post_hook(lambda opt: events.append("load post"))

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        events.append("closure")
        return loss

    optimizer.step(closure)
    optimizer.load_state_dict(optimizer.state_dict())
    return events


@pytest.mark.parametrize("name", ["SGD", "Adam", "LBFGS"])
def test_hooks_see_what_pytorchs_see(name):
    ours, reference = _record(ember, name), _record(torch, name)
    assert ours == reference
    assert ours[0] == ("pre", True, True, 2, []) and "closure" in ours


def test_a_pre_hook_can_replace_the_arguments_and_a_handle_removes_it():
    w = ember.ones(1, requires_grad=True)
    optimizer = ember.optim.SGD([w], lr=0.5)
    calls = []

    def closure():
        calls.append("replacement")
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    handle = optimizer.register_step_pre_hook(lambda opt, args, kwargs: ((opt, closure), kwargs))
    optimizer.step()
    assert calls == ["replacement"] and w.tolist() == [0.0]
    handle.remove()
    optimizer.step()
    assert calls == ["replacement"]


def test_hooks_that_replace_state_dicts():
    w = ember.ones(1, requires_grad=True)
    optimizer = ember.optim.SGD([w], lr=0.5)
    optimizer.register_state_dict_post_hook(lambda opt, state: {**state, "note": "mine"})
    assert optimizer.state_dict()["note"] == "mine"
    saved = optimizer.state_dict()
    saved["param_groups"][0]["lr"] = 0.25

    def restore_rate(opt, state):
        state["param_groups"] = [dict(group, lr=0.125) for group in state["param_groups"]]
        return state

    optimizer.register_load_state_dict_pre_hook(restore_rate)
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.125 and saved["param_groups"][0]["lr"] == 0.25


def test_a_pre_hook_returning_something_else_is_refused():
    optimizer = ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.5)
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: "oops")
    with pytest.raises(RuntimeError, match="None or a tuple"):
        optimizer.step()
