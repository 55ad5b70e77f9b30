"""detach, requires_grad_, retain_grad and register_hook, compared with PyTorch."""
import pytest
import torch

import ember


def f64(lib, data, requires_grad=False):
    return lib.tensor(data, dtype=lib.float64, requires_grad=requires_grad)


# --- detach / requires_grad_ -------------------------------------------------
@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_detach_cuts_the_graph_and_shares_memory(lib):
    x = f64(lib, [1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    source = x * 1
    view = source.detach()
    with lib.no_grad():
        source.mul_(3)
    assert view.tolist() == [3.0, 6.0]  # detach shares data


def test_detached_value_stops_gradient(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        ((x * x).detach() * x).sum().backward()  # only the outer x is differentiated
        return x.grad
    matches_torch(scenario)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_requires_grad_underscore_makes_a_leaf_trainable(lib):
    w = lib.ones(3)
    assert w.requires_grad_() is w
    assert w.requires_grad and w.is_leaf
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    w.requires_grad_(False)
    assert not (w * 2).requires_grad


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_requires_grad_false_on_a_non_leaf_raises(lib):
    y = lib.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_requires_grad_false_on_a_non_leaf_is_an_ember_error():
    with pytest.raises(ember.GradError, match="detach"):
        (ember.ones(2, requires_grad=True) * 2).requires_grad_(False)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_requires_grad_setter(lib):
    w = lib.zeros(2)
    w.requires_grad = True
    assert (w + 1).requires_grad


# --- retain_grad -------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_non_leaf_grad_is_kept_only_when_retained(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        kept, dropped = x * 2, x * 3
        kept.retain_grad()
        (kept * dropped).sum().backward()
        return kept.grad, dropped.grad, x.grad
    kept, dropped, _ = matches_torch(scenario)
    assert dropped is None


def test_retained_grad_accumulates(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        loss = (y * y).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return y.grad
    matches_torch(scenario)


def test_retain_grad_on_a_leaf_is_harmless(matches_torch):
    def scenario(lib):
        w = f64(lib, 2.0, requires_grad=True)
        w.retain_grad()
        (w * 3).backward()
        return w.grad
    matches_torch(scenario)


# --- register_hook -----------------------------------------------------------
def test_leaf_hook_sees_the_summed_gradient_once(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda grad: seen.append(grad.clone()))
        (x * x + x).sum().backward()  # x is used three times
        assert len(seen) == 1
        return seen[0], x.grad
    matches_torch(scenario)


def test_leaf_hook_replaces_the_gradient(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        x.register_hook(lambda grad: grad * 10)
        (x * x).sum().backward()
        return x.grad
    matches_torch(scenario)


def test_non_leaf_hook_replaces_the_gradient_flowing_on(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda grad: grad * 10)
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, x.grad
    matches_torch(scenario)


def test_several_hooks_run_in_registration_order(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 1
        y.register_hook(lambda grad: grad + 1)
        y.register_hook(lambda grad: grad * 10)
        y.sum().backward()
        return x.grad  # (1 + 1) * 10
    matches_torch(scenario)


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non_leaf"])
def test_removed_hook_no_longer_runs(matches_torch, leaf):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        target = x if leaf else x * 1
        handle = target.register_hook(lambda grad: grad * 100)
        handle.remove()
        handle.remove()  # removing twice is allowed
        (target * target).sum().backward()
        return x.grad
    matches_torch(scenario)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_hook_on_a_tensor_without_grad_raises(lib):
    with pytest.raises(RuntimeError, match="doesn't require grad"):
        lib.ones(2).register_hook(lambda grad: grad)


@pytest.mark.parametrize("how", ["grad", "inputs"])
def test_leaf_hook_runs_for_grad_and_inputs(matches_torch, how):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        x.register_hook(lambda grad: grad * 10)
        loss = (x * x).sum()
        if how == "grad":
            return lib.autograd.grad(loss, x)
        loss.backward(inputs=[x])
        return x.grad
    matches_torch(scenario)


# --- register_post_accumulate_grad_hook --------------------------------------
def test_post_accumulate_grad_hook_sees_the_accumulated_grad(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        w = f64(lib, [3.0, -1.0], requires_grad=True)
        seen = []
        x.register_hook(lambda grad: grad * 10)  # runs first: the accumulated grad has it
        x.register_post_accumulate_grad_hook(lambda tensor: seen.append(tensor.grad.clone()))
        (x * w).sum().backward()
        (x * x).sum().backward()  # the second call sees the sum of both
        handle = w.register_post_accumulate_grad_hook(lambda tensor: seen.append(tensor.grad * 0))
        handle.remove()
        (w * 2).sum().backward()
        return seen[0], seen[1], len(seen), w.grad
    matches_torch(scenario)


def test_post_accumulate_grad_hook_steps_an_optimizer_in_backward(matches_torch):
    """The "optimizer step in backward" recipe: each parameter's own optimizer steps in its
    hook and clears its grad, leaving the same weights as one optimizer after backward."""
    def scenario(lib):
        model = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            model.weight.copy_(f64(lib, [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            model.bias.copy_(f64(lib, [0.05, -0.05]))
        optimizers = {p: lib.optim.Adam([p], lr=0.1) for p in model.parameters()}

        def optimizer_hook(parameter):
            optimizers[parameter].step()
            optimizers[parameter].zero_grad()

        for p in model.parameters():
            p.register_post_accumulate_grad_hook(optimizer_hook)
        x = f64(lib, [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
        for _ in range(3):
            model(x).pow(2).sum().backward()
        return model.weight.detach(), model.bias.detach(), model.weight.grad is None
    matches_torch(scenario)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_post_accumulate_grad_hook_on_a_non_leaf_raises(lib):
    x = f64(lib, [1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda tensor: None)
