"""ember.autograd.forward_ad (dual tensors, tangents by two reverse passes) against
torch.autograd.forward_ad on the same float64 inputs: tangents to 1e-12, the forward-AD
tutorial's module patterns, and the same errors."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import forward_ad as efw

torch = pytest.importorskip("torch")
import torch.autograd.forward_ad as tfw  # noqa: E402

RNG = np.random.default_rng(5)
X, T = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
W, U = RNG.standard_normal(4), RNG.standard_normal(4)
LIBS = ((torch, tfw), (ember, efw))


def _run(build):
    return [np.asarray(build(lib, fw)) for lib, fw in LIBS]


def test_tangents_match_torch():
    def build(lib, fw):
        with fw.dual_level():
            x = fw.make_dual(lib.tensor(X), lib.tensor(T))
            w = fw.make_dual(lib.tensor(W), lib.tensor(U))
            y = (x @ w).tanh() * x.exp().sum(1)
            out = fw.unpack_dual(y)
            return np.concatenate([out.primal.detach().numpy(), out.tangent.detach().numpy()])
    expected, actual = _run(build)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_dual_itself_independent_values_and_outside_level():
    for lib, fw in LIBS:
        t = lib.tensor(T)
        with fw.dual_level():
            x = fw.make_dual(lib.tensor(X), t)
            assert fw.unpack_dual(x).tangent is t
            assert fw.unpack_dual(lib.ones(2)).tangent is None
            assert isinstance(fw.unpack_dual(x), fw.UnpackedDualTensor)
            y = x * 2
        assert fw.unpack_dual(y).tangent is None


def test_module_patterns_of_the_tutorial_match_torch():
    def build(lib, fw):
        lib.manual_seed(0)
        model = lib.nn.Linear(4, 3).double()
        with lib.no_grad():
            model.weight.copy_(lib.tensor(RNG_W))
            model.bias.copy_(lib.tensor(RNG_B))
        params = dict(model.named_parameters())
        tangents = {name: lib.ones_like(p) * 0.5 for name, p in params.items()}
        with fw.dual_level():
            for name, p in params.items():
                delattr(model, name)
                setattr(model, name, fw.make_dual(p, tangents[name]))
            first = fw.unpack_dual(model(lib.tensor(X))).tangent.detach().numpy()
        model2 = lib.nn.Linear(4, 3).double()
        with fw.dual_level():
            dual_params = {name: fw.make_dual(p, tangents[name]) for name, p in params.items()}
            out = lib.func.functional_call(model2, dual_params, lib.tensor(X))
            second = fw.unpack_dual(out).tangent.detach().numpy()
        return np.concatenate([first.ravel(), second.ravel()])
    expected, actual = _run(build)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


RNG_W = RNG.standard_normal((3, 4))
RNG_B = RNG.standard_normal(3)


def test_decorator_and_level_indices():
    for lib, fw in LIBS:
        @fw.dual_level()
        def tangent_of_square(value, direction):
            return fw.unpack_dual(fw.make_dual(value, direction) ** 2).tangent
        result = tangent_of_square(lib.tensor(W), lib.tensor(U))
        np.testing.assert_allclose(np.asarray(result.detach().numpy()), 2 * W * U, rtol=1e-12)
        assert fw.enter_dual_level() == 0
        fw.exit_dual_level()


def test_errors_like_torch():
    for lib, fw in LIBS:
        with pytest.raises(RuntimeError, match="no level exists"):
            fw.make_dual(lib.tensor(W), lib.tensor(U))
        with fw.dual_level():
            with pytest.raises(RuntimeError, match="different size"):
                fw.make_dual(lib.tensor(W), lib.tensor(X))
            with pytest.raises(ValueError, match="floating point"):
                fw.make_dual(lib.tensor([1, 2]), lib.tensor([1, 2]))
            with pytest.raises(RuntimeError, match="Nested forward mode AD"):
                with fw.dual_level():
                    pass
