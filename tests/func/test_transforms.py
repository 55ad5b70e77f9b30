"""ember.func (grad, grad_and_value, vjp, jacrev, jacfwd, functional_call) against torch.func."""
import numpy
import pytest
import torch
import torch.func

import ember
import ember.func

X = numpy.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]])
W = numpy.array([0.5, -0.25, 2.0])


def _np(value):
    if isinstance(value, dict):
        return {k: _np(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_np(v) for v in value]
    return numpy.asarray(value.detach().tolist())


def _close(a, b):
    if isinstance(b, dict):
        assert a.keys() == b.keys()
        for k in b:
            _close(a[k], b[k])
    elif isinstance(b, list):
        for x, y in zip(a, b):
            _close(x, y)
    else:
        numpy.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _both(scenario):
    results = [_np(scenario(lib, F)) for lib, F in ((ember, ember.func), (torch, torch.func))]
    _close(*results)


def loss(lib):
    return lambda params, x: ((x * params["w"]).tanh().sum(1) * params["b"]).sum()


def test_grad_argnums_has_aux_and_dict_arguments():
    def scenario(lib, F):
        params = {"w": lib.tensor(W), "b": lib.tensor(1.5, dtype=lib.float64)}
        x = lib.tensor(X)
        g_params = F.grad(loss(lib))(params, x)
        g_both = F.grad(loss(lib), argnums=(0, 1))(params, x)
        g_aux, aux = F.grad(lambda p, v: (loss(lib)(p, v), v.sum()), has_aux=True)(params, x)
        g, value = F.grad_and_value(loss(lib), argnums=1)(params, x)
        return g_params, g_both, g_aux, aux, g, value
    _both(scenario)


def test_nested_grad_vjp_jacrev_jacfwd():
    def scenario(lib, F):
        x = lib.tensor(W)
        second = F.grad(lambda v: F.grad(lambda u: (u ** 3).sin().sum())(v).sum())(x)
        out, vjp_fn = F.vjp(lambda a, b: (a * b).sin(), x, x * 2)
        cotangent = vjp_fn(lib.tensor([1.0, -1.0, 0.5], dtype=lib.float64))
        jac = F.jacrev(lambda a: (a[None, :] * lib.tensor(X)).cos())(x)
        jac_fwd = F.jacfwd(lambda a, b: a * b.exp(), argnums=(0, 1))(x, x + 1)
        return second, out, cotangent, jac, jac_fwd
    _both(scenario)


def test_functional_call_leaves_the_module_unchanged():
    layer = ember.nn.Linear(3, 2)
    before = layer.weight.detach().clone()
    params = {"weight": ember.ones(2, 3), "bias": ember.zeros(2)}
    out = ember.func.functional_call(layer, params, (ember.tensor(X, dtype=ember.float32),))
    numpy.testing.assert_allclose(out.numpy(), X.sum(1, keepdims=True).repeat(2, 1), rtol=1e-6)
    assert bool((layer.weight == before).all())
    with pytest.raises(ember.errors.EmberValueError, match="unexpected keys"):
        ember.func.functional_call(layer, {"nope": ember.ones(1)}, (ember.ones(1, 3),))
