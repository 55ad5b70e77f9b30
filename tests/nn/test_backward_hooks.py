"""Module full backward hooks and pre-hooks against PyTorch 2.13 (what they see, what they replace)."""
from __future__ import annotations

import warnings

import numpy as np
import torch

import ember
from ember import nn


class Mix(object):
    """A two-input module built the same way in both libraries."""

    @staticmethod
    def make(lib_nn):
        class Module(lib_nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib_nn.Linear(3, 2)

            def forward(self, a, scale, b):
                return self.fc(a) * scale + b, b * 2
        return Module()


def build():
    torch.manual_seed(0)
    theirs = Mix.make(torch.nn).double()
    ours = Mix.make(nn).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def run(lib, module, b_requires_grad=True):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = lib.tensor(rng.standard_normal((4, 2)), requires_grad=b_requires_grad)
    first, second = module(a, 1.5, b)
    (first.sum() * 2 + (second * second).sum()).backward()
    return a.grad, b.grad


def as_list(values):
    return [None if v is None else np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)
            for v in values]


def test_full_backward_hook_sees_and_replaces_what_torch_does():
    ours, theirs = build()
    seen = {}

    def hook_for(key):
        def hook(module, grad_input, grad_output):
            seen[key] = (as_list(grad_input), as_list(grad_output))
            return (grad_input[0] * 3, None, None)
        return hook

    ours.register_full_backward_hook(hook_for("ours"))
    theirs.register_full_backward_hook(hook_for("theirs"))
    grads_ours, grads_theirs = run(ember, ours), run(torch, theirs)
    pairs = list(zip(seen["ours"][0] + seen["ours"][1], seen["theirs"][0] + seen["theirs"][1]))
    assert len(pairs) == 5  # three grad_input entries (None for the float argument), two grad_output
    for a, b in pairs:
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(grads_ours[0].numpy(), grads_theirs[0].numpy(), rtol=1e-12)
    assert grads_ours[1] is None and grads_theirs[1] is None


def test_backward_pre_hook_replaces_grad_output_like_torch():
    ours, theirs = build()
    for module in (ours, theirs):
        module.register_full_backward_pre_hook(lambda m, go: (go[0] * 0.5, go[1]))
    grads_ours, grads_theirs = run(ember, ours), run(torch, theirs)
    for a, b in zip(grads_ours, grads_theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.fc.weight.grad.numpy(), theirs.fc.weight.grad.numpy(), rtol=1e-12)


def test_hooks_run_in_order_and_handles_remove_them():
    ours, theirs = build()
    logs = {"ours": [], "theirs": []}
    for key, module in (("ours", ours), ("theirs", theirs)):
        log = logs[key]
        module.register_full_backward_hook(lambda m, gi, go, log=log: log.append("full-1"))
        second = module.register_full_backward_hook(lambda m, gi, go, log=log: log.append("full-2"))
        module.register_full_backward_pre_hook(lambda m, go, log=log: log.append("pre"))
        module.register_full_backward_hook(lambda m, gi, go, log=log: log.append("first"), prepend=True)
        run(ember if key == "ours" else torch, module)
        second.remove()
        run(ember if key == "ours" else torch, module)
    assert logs["ours"] == logs["theirs"] == ["pre", "first", "full-1", "full-2", "pre", "first", "full-1"]


def test_hook_without_input_gradients_gets_nones():
    ours, theirs = build()
    seen = {}
    ours.register_full_backward_hook(lambda m, gi, go: seen.setdefault("ours", gi))
    theirs.register_full_backward_hook(lambda m, gi, go: seen.setdefault("theirs", gi))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib, module in ((ember, ours), (torch, theirs)):
            x = lib.ones(2, 3, dtype=lib.float64)
            module(x, 1.0, lib.ones(2, 2, dtype=lib.float64))[0].sum().backward()
    assert seen["ours"] == seen["theirs"] == (None, None, None)


def test_no_grad_calls_skip_the_boundaries():
    layer = nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: None)
    with ember.no_grad():
        assert not layer(ember.ones(1, 2)).requires_grad


def test_load_state_dict_non_strict_reports_like_torch():
    ours, theirs = nn.Sequential(nn.Linear(2, 2)), torch.nn.Sequential(torch.nn.Linear(2, 2))
    state = {"0.weight": np.zeros((2, 2), dtype=np.float32), "extra.bias": np.zeros(2, dtype=np.float32)}
    result_ours = ours.load_state_dict(state, strict=False)
    result_theirs = theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert result_ours.missing_keys == result_theirs.missing_keys == ["0.bias"]
    assert result_ours.unexpected_keys == result_theirs.unexpected_keys == ["extra.bias"]
    assert repr(result_ours) == repr(result_theirs)


def test_always_call_forward_hook_runs_when_forward_raises_like_torch():
    calls = {"ours": [], "theirs": []}
    for key, lib_nn in (("ours", nn), ("theirs", torch.nn)):
        class Broken(lib_nn.Module):
            def forward(self, x):
                raise ValueError("broken forward")
        module = Broken()
        module.register_forward_hook(lambda m, a, out, log=calls[key]: log.append(("always", out)),
                                     always_call=True)
        module.register_forward_hook(lambda m, a, out, log=calls[key]: log.append(("plain", out)))
        try:
            module(1)
        except ValueError as error:
            assert "broken forward" in str(error)
    assert calls["ours"] == calls["theirs"] == [("always", None)]
