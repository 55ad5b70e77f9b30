"""Module: registration by assignment, the tree walk, state dicts, hooks, modes, repr, containers."""
from __future__ import annotations

import copy
import os
import pickle
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close, copy_weights  # noqa: E402


def build(lib):
    """One architecture written against either library's ``nn``: nesting, containers, buffers."""
    nn_ = lib.nn

    class Block(nn_.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn_.Linear(4, 4)
            self.norm = nn_.BatchNorm1d(4)
            self.act = nn_.ReLU()

        def forward(self, x):
            return self.act(self.norm(self.fc(x)))

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn_.Embedding(10, 4, padding_idx=0)
            self.blocks = nn_.ModuleList([Block(), Block()])
            self.heads = nn_.ModuleDict({"a": nn_.Linear(4, 2), "b": nn_.Sequential(nn_.Linear(4, 3), nn_.Tanh())})
            self.scale = nn_.Parameter(lib.ones(1))
            self.register_buffer("counter", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)
            self.norm = nn_.LayerNorm(4)

        def forward(self, tokens):
            h = self.embed(tokens).mean(1)
            for block in self.blocks:
                h = block(h)
            return self.heads["a"](self.norm(h)) * self.scale

    return Net()


# --- registration and routing -------------------------------------------------
def test_assignment_routes_into_the_three_stores():
    module = nn.Module()
    module.weight = nn.Parameter(ember.ones(2))
    module.child = nn.Linear(2, 2)
    module.register_buffer("stat", ember.zeros(2))
    module.plain = ember.zeros(1)  # a plain tensor attribute is not registered
    assert list(module._parameters) == ["weight"]
    assert list(module._modules) == ["child"]
    assert list(module._buffers) == ["stat"]
    assert "plain" in module.__dict__ and module.stat is module._buffers["stat"]
    module.stat = ember.ones(2)  # re-assigning a buffer keeps it a buffer
    assert float(module._buffers["stat"].sum()) == 2.0
    del module.weight, module.child, module.stat
    assert not module._parameters and not module._modules and not module._buffers


def test_reassigning_a_name_moves_it_between_stores():
    module = nn.Module()
    module.thing = nn.Linear(1, 1)
    module.thing = nn.Parameter(ember.zeros(1))
    assert "thing" in module._parameters and "thing" not in module._modules


def test_assignment_errors():
    module = nn.Module()
    module.weight = nn.Parameter(ember.ones(2))
    with pytest.raises(TypeError, match="cannot assign 'ember.tensor.Tensor' as parameter 'weight'"):
        module.weight = ember.ones(2)
    module.weight = None  # None is allowed and keeps the slot
    assert "weight" in module._parameters and module.weight is None
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        module.plain = 1
        module.register_buffer("plain", ember.zeros(1))
    with pytest.raises(KeyError, match=r'contain "\."'):
        module.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="ember.nn.Parameter or None required"):
        module.register_parameter("w", ember.zeros(1))
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        module.missing


def test_forgetting_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Broken()


def test_missing_forward_is_a_clear_error():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(ember.zeros(1))


# --- the tree walk: same names and order as PyTorch ---------------------------
@pytest.mark.parametrize("query", ["named_parameters", "named_buffers", "named_modules", "named_children"])
def test_tree_walk_names_match_torch(query):
    ours, theirs = build(ember), build(torch)
    assert [name for name, _ in getattr(ours, query)()] == [name for name, _ in getattr(theirs, query)()]


def test_state_dict_keys_and_values_match_torch():
    ours, theirs = build(ember), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, what=key)
    assert ours.state_dict()["blocks.0.norm.num_batches_tracked"].dtype == ember.int64


def test_state_dict_values_share_memory_and_are_detached():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    assert not state["weight"].requires_grad
    with ember.no_grad():
        layer.weight.mul_(0.0)
    assert float(state["weight"].abs().sum()) == 0.0
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
    assert list(layer.state_dict(prefix="model.")) == ["model.weight", "model.bias"]


def test_shared_parameters_are_listed_once_but_saved_under_each_name():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    reference = torch.nn.Sequential(*(lambda s: [s, torch.nn.ReLU(), s])(torch.nn.Linear(2, 2)))
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in reference.named_parameters()]
    assert list(model.state_dict()) == list(reference.state_dict())
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4


def test_recurse_false_and_prefix():
    model = build(ember)
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in model.named_buffers(recurse=False)] == ["counter", "scratch"]
    assert next(iter(model.named_parameters(prefix="net")))[0] == "net.scale"
    assert model.get_submodule("blocks.1.fc") is model.blocks[1].fc
    assert model.get_parameter("heads.a.bias") is model.heads["a"].bias
    assert model.get_buffer("blocks.0.norm.running_mean") is model.blocks[0].norm.running_mean


def test_load_state_dict_from_torch_runs_the_same_model():
    ours, theirs = build(ember), build(torch)
    result = ours.load_state_dict(theirs.state_dict())  # torch tensors load directly
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    tokens = np.array([[1, 2, 0], [4, 5, 6]])
    ours.eval(), theirs.eval()
    assert_close(ours(ember.tensor(tokens)), theirs(torch.tensor(tokens)), rtol=1e-5, atol=1e-6)


def test_strict_loading_reports_every_problem_at_once():
    model = build(ember)
    state = dict(model.state_dict())
    del state["scale"], state["blocks.1.fc.bias"]
    state["extra.weight"] = ember.zeros(1)
    state["heads.a.weight"] = ember.zeros(3, 3)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "scale", "blocks.1.fc.bias".' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight".' in message
    assert ("size mismatch for heads.a.weight: copying a param with shape (3, 3) from checkpoint, "
            "the shape in current model is (2, 4).") in message


def test_non_strict_loading_returns_the_key_lists_but_still_refuses_shape_mismatches():
    model = build(ember)
    state = dict(model.state_dict())
    del state["scale"]
    state["extra"] = ember.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["extra"]
    state["counter"] = ember.zeros(5)
    with pytest.raises(RuntimeError, match="size mismatch for counter"):
        model.load_state_dict(state, strict=False)


def test_loading_copies_in_place_and_casts():
    layer = nn.Linear(2, 1)
    weight = layer.weight
    layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([3.0])})
    assert layer.weight is weight and layer.weight.dtype == ember.float32
    assert layer.weight.tolist() == [[1.0, 2.0]]
    layer.load_state_dict({"weight": ember.tensor([[5.0, 6.0]]), "bias": ember.zeros(1)}, assign=True)
    assert layer.weight is not weight and isinstance(layer.weight, nn.Parameter)
    assert layer.weight.tolist() == [[5.0, 6.0]] and layer.weight.requires_grad


def test_non_persistent_buffers_are_not_saved():
    model = build(ember)
    assert "scratch" not in model.state_dict()
    assert "scratch" in dict(model.named_buffers())


# --- hooks ----------------------------------------------------------------------
def test_forward_hooks_see_and_replace_arguments_and_outputs():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda module, args: (args[0] * 0.0,))
    post = layer.register_forward_hook(lambda module, args, output: calls.append(output.shape) or output + 1.0)
    out = layer(ember.ones(3, 2))
    assert calls == [(3, 2)]
    assert_close(out, (layer.bias.detach() + 1.0).broadcast_to((3, 2)))
    pre.remove(), post.remove()
    plain = layer(ember.ones(3, 2))
    assert calls == [(3, 2)] and not ember.allclose(plain, out)


def test_hook_order_prepend_kwargs_and_context_manager():
    layer = nn.Identity()
    order = []
    layer.register_forward_hook(lambda m, a, o: order.append("first"))
    layer.register_forward_hook(lambda m, a, o: order.append("prepended"), prepend=True)
    with layer.register_forward_pre_hook(lambda m, a, k: (a, {**k}), with_kwargs=True):
        layer(ember.zeros(1))
    assert order == ["prepended", "first"]
    assert len(layer._forward_pre_hooks) == 0


def test_hooks_match_torch_on_a_submodule():
    ours, theirs = build(ember), build(torch)
    copy_weights(theirs, ours)
    captured = {}
    for lib_model, key in ((ours, "ember"), (theirs, "torch")):
        lib_model.blocks[1].fc.register_forward_hook(
            lambda module, args, output, key=key: captured.__setitem__(key, output.detach().numpy().copy()))
        lib_model.eval()
    tokens = np.array([[1, 2], [3, 4]])
    ours(ember.tensor(tokens)), theirs(torch.tensor(tokens))
    np.testing.assert_allclose(captured["ember"], captured["torch"], rtol=1e-5, atol=1e-6)


# --- modes and bulk operations ---------------------------------------------------
def test_train_eval_reach_every_module():
    model = build(ember)
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="boolean"):
        model.train("no")


def test_zero_grad_to_none_or_to_zeros():
    layer = nn.Linear(2, 2)
    layer(ember.ones(1, 2)).sum().backward()
    grad = layer.weight.grad
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and float(grad.abs().sum()) == 0.0
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_apply_visits_children_first_then_self():
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_to_dtype_keeps_parameter_identity_and_integer_buffers():
    model = build(ember)
    weight = model.heads["a"].weight
    assert model.to(ember.float64) is model
    assert model.heads["a"].weight is weight and weight.dtype == ember.float64
    assert model.blocks[0].norm.running_var.dtype == ember.float64
    assert model.blocks[0].norm.num_batches_tracked.dtype == ember.int64
    assert model.float().heads["a"].weight.dtype == ember.float32
    assert model.to("cpu") is model and model.to("cpu", ember.float64).counter.dtype == ember.float64
    assert model.double().to(ember.zeros(1)).scale.dtype == ember.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to(ember.int64)
    with pytest.raises(RuntimeError, match="device 'cuda'"):
        model.to("cuda")


def test_requires_grad_freezes_every_parameter():
    model = build(ember)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_deepcopy_and_pickle_keep_types_and_values():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.PReLU())
    model(ember.randn(4, 2)).sum().backward()
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight is not model[0].weight
        assert clone[0].weight.requires_grad and clone[0].weight.grad is not None
        assert list(clone.state_dict()) == list(model.state_dict())
        for key, value in model.state_dict().items():
            assert np.array_equal(np.asarray(clone.state_dict()[key]), np.asarray(value))


def test_parameter_repr_and_sharing():
    data = ember.tensor([1.0, 2.0])
    param = nn.Parameter(data)
    assert repr(param) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    with ember.no_grad():
        param.mul_(2.0)
    assert data.tolist() == [2.0, 4.0]  # shares memory, like torch.nn.Parameter
    assert not nn.Parameter(ember.zeros(1), requires_grad=False).requires_grad
    assert isinstance(param * 1.0, ember.Tensor) and not isinstance(param * 1.0, nn.Parameter)


# --- repr: same text as PyTorch -------------------------------------------------
def test_nested_repr_matches_torch():
    assert repr(build(ember)) == repr(build(torch))


def test_layer_reprs_match_torch():
    def layers(lib):
        nn_ = lib.nn
        return [nn_.Linear(3, 2, bias=False), nn_.Bilinear(2, 3, 4), nn_.Identity(), nn_.Flatten(),
                nn_.Unflatten(1, (2, 5)), nn_.Dropout(0.2), nn_.Embedding(5, 2, padding_idx=1),
                nn_.BatchNorm2d(3, momentum=None, affine=False), nn_.LayerNorm([2, 3], elementwise_affine=False),
                nn_.GroupNorm(2, 4), nn_.ReLU(), nn_.ReLU(inplace=True), nn_.LeakyReLU(0.3), nn_.ELU(),
                nn_.GELU(), nn_.GELU("tanh"), nn_.SiLU(), nn_.Sigmoid(), nn_.Tanh(), nn_.Softmax(dim=1),
                nn_.LogSoftmax(-1), nn_.Softplus(2, 10), nn_.Hardtanh(-2.0, 2.0), nn_.MSELoss(),
                nn_.CrossEntropyLoss(), nn_.RMSNorm(4), nn_.PReLU(), nn_.Mish(), nn_.InstanceNorm2d(3)]

    for ours, theirs in zip(layers(ember), layers(torch)):
        assert repr(ours) == repr(theirs)


def test_module_list_repr_groups_repeats_like_torch():
    def make(lib):
        return lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Linear(2, 2)])

    assert repr(make(ember)) == repr(make(torch))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


# --- containers -----------------------------------------------------------------
def test_sequential_indexing_slicing_and_editing():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(model) == 3 and isinstance(model[-1], nn.Linear)
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["0", "1"]
    assert head(ember.ones(4, 2)).shape == (4, 3)
    model.append(nn.Sigmoid())
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    del model[1]
    assert list(model._modules) == ["0", "1", "2"]
    model[0] = nn.Linear(2, 3)
    model.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    with pytest.raises(IndexError):
        model[10]


def test_sequential_with_ordered_dict_names_its_children():
    from collections import OrderedDict
    ours = nn.Sequential(OrderedDict(fc=nn.Linear(1, 2), act=nn.ReLU()))
    theirs = torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(1, 2), act=torch.nn.ReLU()))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["fc.weight", "fc.bias"]
    assert ours.fc is ours[0]


def test_module_list_and_dict_register_members():
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers += [nn.Linear(1, 1)]
    layers.insert(0, nn.ReLU())
    assert [n for n, _ in layers.named_parameters()] == ["1.weight", "1.bias", "2.weight", "2.bias"]
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 2
    del layers[0]
    assert list(layers._modules) == ["0", "1"]
    heads = nn.ModuleDict()
    heads["x"] = nn.Linear(1, 1)
    heads.update({"y": nn.ReLU()})
    assert list(heads) == ["x", "y"] and "x" in heads and len(heads) == 2
    assert heads.pop("y").__class__ is nn.ReLU and list(heads.keys()) == ["x"]


def test_parameter_list_and_dict():
    ours = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(3)])
    assert isinstance(ours[1], nn.Parameter) and len(ours) == 2
    assert list(ours.state_dict()) == list(theirs.state_dict())
    table = nn.ParameterDict({"a": ember.ones(1)})
    table["b"] = nn.Parameter(ember.zeros(2))
    assert [n for n, _ in table.named_parameters()] == ["a", "b"]
    holder = nn.Module()
    holder.params = table
    assert list(holder.state_dict()) == ["params.a", "params.b"]
