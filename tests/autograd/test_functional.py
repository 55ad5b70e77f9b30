"""ember.autograd.functional against torch.autograd.functional on the same functions."""
import numpy
import pytest
import torch

import ember


def _np(value):
    if isinstance(value, (tuple, list)):
        return [_np(v) for v in value]
    return numpy.asarray(value.detach().tolist())


def _close(mine, reference):
    if isinstance(reference, list):
        assert isinstance(mine, list) and len(mine) == len(reference)
        for a, b in zip(mine, reference):
            _close(a, b)
    else:
        numpy.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


X = [[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]]
Y = [0.5, -0.25, 2.0]


def _inputs(lib):
    return lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)


def scalar(x, y):
    return ((x * y).sin().sum(0) * y.exp()).sum()


def two_outputs(x, y):
    return (x * y).tanh(), (x ** 2).sum(1)


@pytest.mark.parametrize("name", ["jacobian", "hessian"])
def test_jacobian_and_hessian(name):
    func = two_outputs if name == "jacobian" else scalar
    results = [_np(getattr(lib.autograd.functional, name)(func, _inputs(lib))) for lib in (ember, torch)]
    _close(*results)
    single = [_np(getattr(lib.autograd.functional, name)(lambda x: func(x, _inputs(lib)[1]) if name ==
                                                          "jacobian" else scalar(x, _inputs(lib)[1]),
                                                          _inputs(lib)[0]))
              for lib in (ember, torch)]
    _close(*single)


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_products(name):
    results = []
    for lib in (ember, torch):
        x, y = _inputs(lib)
        if name == "vjp":
            v = (lib.ones(2, 3, dtype=lib.float64) * 0.5, lib.tensor([1.0, -2.0], dtype=lib.float64))
            results.append(_np(lib.autograd.functional.vjp(two_outputs, (x, y), v)))
        elif name == "jvp":
            v = (x.cos(), y * 3)
            results.append(_np(lib.autograd.functional.jvp(two_outputs, (x, y), v)))
        else:
            v = (x.cos(), y * 3)
            results.append(_np(getattr(lib.autograd.functional, name)(scalar, (x, y), v)))
    _close(*results)


def test_create_graph_differentiates_again():
    grads = []
    for lib in (ember, torch):
        x, y = _inputs(lib)
        x.requires_grad_(True)
        _, g = lib.autograd.functional.vjp(lambda x: scalar(x, y), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        grads.append(_np(gg))
    _close(*grads)


def test_strict_and_unused_inputs():
    x, y = _inputs(ember)
    jac = ember.autograd.functional.jacobian(lambda a, b: a * 2, (x, y))
    assert jac[1].shape == (2, 3, 3) and float(jac[1].abs().sum()) == 0.0
    with pytest.raises(ember.errors.GradError, match="independent of input 1"):
        ember.autograd.functional.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(ember.errors.EmberValueError, match="v has shape|shape"):
        ember.autograd.functional.vjp(lambda a: a * 2, x, ember.ones(3))
