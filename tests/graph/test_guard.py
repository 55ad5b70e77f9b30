"""The generated state guard agrees with the fingerprint it stands in for.

A compiled call reuses its graph only while ``guard()`` is True; the guard
must be False whenever ``fingerprint(owners)`` changed (else a stale graph
runs), and may only be False spuriously at the cost of a slower call.
"""
import numpy
import pytest

import ember
from ember.graph.guard import compile_guard
from ember.graph.state import find_owners, fingerprint, owner_sources


def setup():
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4), ember.nn.Linear(4, 2))
    optimizer = ember.optim.Adam(model.parameters(), lr=1e-2)
    extra = ember.zeros(3)
    model(ember.ones(5, 3)).sum().backward()
    optimizer.step()

    def step(x):
        assert optimizer is not None  # closes over the optimizer, as a training step does
        return model(x).sum() + extra.sum()
    return step, model, optimizer, extra


MUTATIONS = {
    "eval mode": lambda model, opt, extra: model.eval(),
    "learning rate": lambda model, opt, extra: opt.param_groups[0].__setitem__("lr", 0.5),
    "betas": lambda model, opt, extra: opt.param_groups[0].__setitem__("betas", (0.8, 0.9)),
    "lr becomes a tensor": lambda model, opt, extra: opt.param_groups[0].__setitem__("lr", ember.tensor(0.01)),
    "grad cleared": lambda model, opt, extra: opt.zero_grad(),
    "one gradient cleared": lambda model, opt, extra: setattr(model[0].bias, "grad", None),
    "parameter replaced": lambda model, opt, extra: setattr(model[0], "weight", ember.nn.Parameter(ember.ones(4, 3))),
    "parameter data reshaped": lambda model, opt, extra: setattr(model[2].bias, "data", ember.zeros(3)),
    "requires_grad off": lambda model, opt, extra: model[2].weight.requires_grad_(False),
    "dtype changed": lambda model, opt, extra: model.double(),
    "layer swapped": lambda model, opt, extra: model.__setitem__(1, ember.nn.Identity()),
    "optimizer state dropped": lambda model, opt, extra: opt.state.clear(),
    "state entry replaced": lambda model, opt, extra: opt.state[model[0].bias].__setitem__("exp_avg", ember.zeros(4)),
    "running mean replaced": lambda model, opt, extra: setattr(model[1], "running_mean", ember.zeros(5)),
    "closed-over tensor reshaped": lambda model, opt, extra: setattr(extra, "data", ember.zeros(2)),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_guard_fails_exactly_when_the_fingerprint_changes(name):
    step, model, optimizer, extra = setup()
    owners = find_owners(step)
    guard, source = compile_guard(owners)
    before = fingerprint(owners)
    assert guard()
    MUTATIONS[name](model, optimizer, extra)
    changed = fingerprint(find_owners(step)) != before
    assert changed, f"{name}: the mutation should change the fingerprint"
    assert not guard(), f"{name}: the guard missed a change\n{source}"


def test_guard_holds_across_ordinary_training():
    step, model, optimizer, extra = setup()
    guard = compile_guard(find_owners(step))[0]
    for _ in range(3):
        optimizer.zero_grad(set_to_none=False)
        model(ember.ones(5, 3)).sum().backward()
        optimizer.step()
    assert guard()  # values changed, not shapes, identities or hyperparameters


def test_owner_sources_notice_a_rebound_closure_and_a_new_global():
    model = ember.nn.Linear(2, 2)

    def step(x):
        return model(x)
    owners = find_owners(step)
    unchanged = owner_sources(step, owners)
    assert unchanged()
    model = ember.nn.Linear(2, 2)  # noqa: F841 -- rebinds the cell step closes over
    assert not unchanged()


def test_owner_sources_refuse_owners_found_inside_containers():
    layers = [ember.nn.Linear(2, 2)]

    def step(x):
        return layers[0](x)
    assert owner_sources(step, find_owners(step)) is None  # the list could change without a rebinding


def test_compiled_step_retraces_when_the_learning_rate_changes():
    ember.manual_seed(0)
    model = ember.nn.Linear(3, 1)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)

    @ember.function
    def step(x):
        optimizer.zero_grad()
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
        return loss
    x = ember.ones(2, 3)
    for _ in range(3):
        step(x)
    traces = step.trace_count
    before = numpy.array(model.weight.detach())
    optimizer.param_groups[0]["lr"] = 0.0
    step(x)
    assert step.trace_count == traces + 1
    numpy.testing.assert_array_equal(numpy.array(model.weight.detach()), before)  # lr 0: no change
