"""torch.nn.modules.module.register_module_*_hook against PyTorch: global hooks run on every
module call, before the module's own hooks, and their handles remove them."""
import numpy as np
import pytest
import torch

import ember
from ember import nn as enn
from ember.nn.modules import module as ember_module_hooks
from torch.nn.modules import module as torch_module_hooks

LIBRARIES = [(ember, enn, ember_module_hooks), (torch, torch.nn, torch_module_hooks)]


def model(library, nn):
    library.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    weights = np.random.default_rng(1)
    with library.no_grad():
        for parameter in net.parameters():
            parameter.copy_(library.tensor(weights.normal(size=tuple(parameter.shape)).astype("float32")))
    return net


def run(library, nn, hooks):
    """The events each kind of hook sees, the output and the input's gradient, hooks removed after."""
    events = []
    net = model(library, nn)
    local = net[0].register_forward_hook(lambda m, a, o: events.append(("local forward", type(m).__name__)))
    handles = [
        hooks.register_module_forward_pre_hook(lambda m, a: events.append(("pre", type(m).__name__))),
        hooks.register_module_forward_hook(lambda m, a, o: events.append(("forward", type(m).__name__))),
        hooks.register_module_forward_hook(lambda m, a, o: o * 2 if isinstance(m, nn.Tanh) else None),
        hooks.register_module_full_backward_pre_hook(lambda m, g: events.append(("bpre", type(m).__name__))),
        hooks.register_module_full_backward_hook(
            lambda m, gi, go: events.append(("backward", type(m).__name__, len(gi), len(go)))),
    ]
    x = library.tensor(np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3), requires_grad=True)
    try:
        out = net(x)
        out.sum().backward()
    finally:
        for handle in handles:
            handle.remove()
        local.remove()
    after = net(x)  # no hook runs any more: events unchanged, output not doubled inside
    return events, out.detach().numpy(), x.grad.numpy(), after.detach().numpy()


def test_global_hooks_run_like_pytorch():
    ours, theirs = run(*LIBRARIES[0]), run(*LIBRARIES[1])
    assert ours[0] == theirs[0]
    for mine, reference in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours[1], ours[3])  # the doubling hook mattered while registered


def test_global_forward_hook_with_kwargs_and_always_call():
    seen = []
    handle = ember_module_hooks.register_module_forward_hook(
        lambda m, a, k, o: seen.append((sorted(k), o is None)), with_kwargs=True, always_call=True)

    class Fails(enn.Module):
        def forward(self, x, scale=1.0):
            raise ValueError("boom")

    try:
        enn.Identity()(ember.ones(1))
        with pytest.raises(ValueError, match="boom"):
            Fails()(ember.ones(1), scale=2.0)
    finally:
        handle.remove()
    assert seen == [([], False), (["scale"], True)]


def test_a_global_hook_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        ember_module_hooks.register_module_forward_hook(3)
