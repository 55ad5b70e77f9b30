"""ember.nn.utils.prune against torch.nn.utils.prune from the same weights: masks, pruned
values, state_dict keys, iterative (container) pruning, global pruning, remove, gradients,
and errors."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.utils.prune as eprune

torch = pytest.importorskip("torch")
import torch.nn.utils.prune as tprune  # noqa: E402

LIBS = ((torch, tprune), (ember, eprune))


def _convs():
    torch.manual_seed(0)
    t = torch.nn.Conv2d(3, 6, 3)
    e = ember.nn.Conv2d(3, 6, 3)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t, e


def _same(t_tensor, e_tensor):
    np.testing.assert_array_equal(e_tensor.detach().numpy(), t_tensor.detach().numpy())


def _state(module):
    return [(k, v.detach().numpy()) for k, v in module.state_dict().items()]


def _same_state(t, e):
    expected, actual = _state(t), _state(e)
    assert [k for k, _ in actual] == [k for k, _ in expected]
    for (_, a), (_, b) in zip(actual, expected):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("steps", [
    [("l1_unstructured", dict(amount=0.3))],
    [("l1_unstructured", dict(amount=7))],
    [("ln_structured", dict(amount=2, n=2, dim=0))],
    [("ln_structured", dict(amount=0.5, n=1, dim=1))],
    [("ln_structured", dict(amount=1, n=float("inf"), dim=-1))],
    [("l1_unstructured", dict(amount=0.2)), ("ln_structured", dict(amount=2, n=2, dim=0)),
     ("l1_unstructured", dict(amount=10))],
    [("ln_structured", dict(amount=1, n=2, dim=0)), ("ln_structured", dict(amount=2, n=1, dim=0))],
    [("identity", {})],
], ids=["l1-frac", "l1-count", "ln-dim0", "ln-dim1", "ln-inf", "iterative", "structured-twice",
        "identity"])
def test_pruning_matches_torch(steps):
    t, e = _convs()
    for name, kwargs in steps:
        getattr(tprune, name)(t, "weight", **kwargs)
        getattr(eprune, name)(e, "weight", **kwargs)
        _same(t.weight, e.weight)
        _same(t.weight_mask, e.weight_mask)
    _same_state(t, e)
    assert tprune.is_pruned(t) and eprune.is_pruned(e)
    # the pre-hook recomputes weight from weight_orig; gradients reach weight_orig through the mask
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype("float32")
    t(torch.tensor(x)).square().sum().backward()
    e(ember.tensor(x)).square().sum().backward()
    np.testing.assert_allclose(e.weight_orig.grad.numpy(), t.weight_orig.grad.numpy(), rtol=1e-5,
                               atol=1e-5)
    tprune.remove(t, "weight")
    eprune.remove(e, "weight")
    _same_state(t, e)
    assert isinstance(e.weight, ember.nn.Parameter) and not eprune.is_pruned(e)


def test_global_unstructured_and_custom_mask_match_torch():
    nets = {}
    for lib, prune in LIBS:
        lib.manual_seed(0)
        nets[lib.__name__] = lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))
    t, e = nets["torch"], nets["ember"]
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    for net, prune in ((t, tprune), (e, eprune)):
        prune.l1_unstructured(net[2], "weight", amount=3)
        prune.global_unstructured([(net[0], "weight"), (net[2], "weight"), (net[0], "bias")],
                                  pruning_method=prune.L1Unstructured, amount=0.4)
        prune.custom_from_mask(net[2], "bias", mask=(net[2].bias.detach() > 0).float())
    _same_state(t, e)
    assert type(e[2]._forward_pre_hooks[next(iter(e[2]._forward_pre_hooks))]).__name__ == "PruningContainer"


def test_random_methods_prune_the_right_amounts():
    for lib, prune in LIBS:
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(3, 6, 3)
        prune.random_unstructured(conv, "weight", amount=0.25)
        assert int((conv.weight == 0).sum()) == round(0.25 * 162)
        prune.random_structured(conv, "weight", amount=2, dim=0)
        dead = (conv.weight_mask.sum(dim=(1, 2, 3)) == 0)
        assert int(dead.sum()) == 2


@pytest.mark.parametrize("call, error", [
    (lambda lib, p, m: p.l1_unstructured(m, "weight", amount=1.5), ValueError),
    (lambda lib, p, m: p.l1_unstructured(m, "weight", amount=-1), ValueError),
    (lambda lib, p, m: p.l1_unstructured(m, "weight", amount="a"), TypeError),
    (lambda lib, p, m: p.l1_unstructured(m, "weight", amount=1000), ValueError),
    (lambda lib, p, m: p.ln_structured(m, "bias", amount=1, n=2, dim=0), ValueError),
    (lambda lib, p, m: p.ln_structured(m, "weight", amount=1, n=2, dim=4), IndexError),
    (lambda lib, p, m: p.remove(m, "weight"), ValueError),
    (lambda lib, p, m: p.global_unstructured([(m, "weight")], pruning_method=p.LnStructured,
                                             amount=1, n=2, dim=0), TypeError),
], ids=["frac>1", "negative", "type", "too-many", "structured-1d", "bad-dim", "remove-unpruned",
        "global-structured"])
def test_errors_like_torch(call, error):
    for lib, prune in LIBS:
        module = lib.nn.Conv2d(3, 6, 3)
        with pytest.raises(error):
            call(lib, prune, module)
        # a failed first pruning leaves the parameter as it was
        assert "weight" in dict(module.named_parameters())
