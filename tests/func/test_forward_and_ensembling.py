"""ember.func's jvp, linearize, stack_module_state, replace_all_batch_norm_modules_ and
functionalize against torch.func on the same float64 inputs (values to 1e-12), errors included."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.func as ef

torch = pytest.importorskip("torch")
tf = pytest.importorskip("torch.func")

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
V = RNG.standard_normal((3, 4))
W = RNG.standard_normal(4)
U = RNG.standard_normal(4)


def _both(build):
    """``build(lib, func_module)`` under torch and Ember; results as NumPy trees."""
    def numpy_tree(value):
        if isinstance(value, (tuple, list)):
            return [numpy_tree(v) for v in value]
        if isinstance(value, dict):
            return {k: numpy_tree(v) for k, v in value.items()}
        return value.detach().numpy() if hasattr(value, "detach") else value
    return numpy_tree(build(torch, tf)), numpy_tree(build(ember, ef))


def _close(expected, actual, tol=1e-12):
    if isinstance(expected, list):
        assert len(expected) == len(actual)
        for e, a in zip(expected, actual):
            _close(e, a, tol)
    elif isinstance(expected, dict):
        assert expected.keys() == actual.keys()
        for key in expected:
            _close(expected[key], actual[key], tol)
    else:
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def _f(lib):
    def f(x, w):
        return (lib.tanh(x @ w) ** 2).sum() * x.sin().mean(), x.exp() * w
    return f


def test_jvp_two_primals_two_outputs():
    def build(lib, fn):
        return fn.jvp(_f(lib), (lib.tensor(X), lib.tensor(W)), (lib.tensor(V), lib.tensor(U)))
    _close(*_both(build))


def test_jvp_of_grad_is_the_hessian_vector_product():
    def build(lib, fn):
        def loss(x):
            return (x.sin() * x.cos().sum() + x ** 3).sum()
        return fn.jvp(fn.grad(loss), (lib.tensor(X),), (lib.tensor(V),))
    expected, actual = _both(build)
    _close(expected, actual)
    # and it is H·v: the Hessian from jacrev(jacrev) times v
    hessian = ef.hessian(lambda x: (x.sin() * x.cos().sum() + x ** 3).sum())(ember.tensor(X))
    np.testing.assert_allclose(actual[1], np.tensordot(hessian.numpy(), V, 2), atol=1e-12)


def test_jvp_has_aux_and_dict_primals():
    def build(lib, fn):
        def f(params, x):
            out = x @ params["w"] + params["b"]
            return out.tanh(), {"norm": out.norm()}
        primals = ({"w": lib.tensor(W), "b": lib.tensor(1.5, dtype=lib.float64)}, lib.tensor(X))
        tangents = ({"w": lib.tensor(U), "b": lib.tensor(-0.5, dtype=lib.float64)}, lib.tensor(V))
        out, tangent, aux = fn.jvp(f, primals, tangents, has_aux=True)
        return out, tangent, aux["norm"]
    _close(*_both(build))


def test_jvp_output_independent_of_primals_gives_zeros_or_strict_error():
    def build(lib, fn):
        return fn.jvp(lambda x: lib.ones(3, dtype=lib.float64), (lib.tensor(W),), (lib.tensor(U),))
    _close(*_both(build))
    for lib, fn in ((torch, tf), (ember, ef)):
        with pytest.raises(RuntimeError, match="independent of the inputs"):
            fn.jvp(lambda x: lib.ones(3), (lib.tensor(W),), (lib.tensor(U),), strict=True)


def test_vmap_of_jvp_builds_the_forward_jacobian():
    def build(lib, fn):
        x = lib.tensor(W)
        basis = lib.eye(4, dtype=lib.float64)
        return fn.vmap(lambda v: fn.jvp(lambda a: a.sin() * a.sum(), (x,), (v,))[1])(basis)
    _close(*_both(build))


def test_grad_through_jvp_when_primals_require_grad():
    def build(lib, fn):
        x = lib.tensor(W, requires_grad=True)
        _, tangent = fn.jvp(lambda a: (a ** 3).sum(), (x,), (lib.tensor(U),))
        (gradient,) = lib.autograd.grad(tangent, x)
        return gradient
    _close(*_both(build))


@pytest.mark.parametrize("call", [
    lambda lib, fn: fn.jvp(lambda x: x, lib.tensor(W), (lib.tensor(U),)),            # not a tuple
    lambda lib, fn: fn.jvp(lambda x, y: x, (lib.tensor(W), lib.tensor(W)), (lib.tensor(U),)),
    lambda lib, fn: fn.jvp(lambda x: x, (lib.tensor(W),), (lib.tensor(X),)),          # shapes
    lambda lib, fn: fn.jvp(lambda x: x, (2.0,), (1.0,)),                               # not tensors
    lambda lib, fn: fn.jvp(lambda x: 3.0, (lib.tensor(W),), (lib.tensor(U),)),        # output
    lambda lib, fn: fn.jvp(lambda x: x, (lib.tensor(W),), (lib.tensor(U),), has_aux=True),
], ids=["primals-not-tuple", "structure", "shape", "non-tensor-primal", "non-tensor-output",
        "aux-not-pair"])
def test_jvp_errors_like_torch(call):
    with pytest.raises(RuntimeError):
        call(torch, tf)
    with pytest.raises(RuntimeError):
        call(ember, ef)


def test_linearize_matches_torch_and_reuses_one_evaluation():
    def build(lib, fn):
        out, jvp_fn = fn.linearize(lambda x, w: (x @ w).sigmoid() * w.sum(),
                                   lib.tensor(X), lib.tensor(W))
        return out, jvp_fn(lib.tensor(V), lib.tensor(U)), jvp_fn(lib.tensor(2 * V), lib.tensor(U))
    _close(*_both(build))
    calls = []

    def f(x):
        calls.append(1)
        return x.exp()
    _, jvp_fn = ef.linearize(f, ember.tensor(W))
    for _ in range(3):
        jvp_fn(ember.tensor(U))
    assert len(calls) == 1


def test_linearize_tangent_errors_like_torch():
    for lib, fn in ((torch, tf), (ember, ef)):
        _, jvp_fn = fn.linearize(lambda x: x.sin(), lib.tensor(W))
        with pytest.raises(RuntimeError):
            jvp_fn(lib.tensor(X))                      # wrong shape
        with pytest.raises(RuntimeError):
            jvp_fn(lib.tensor(U), lib.tensor(U))       # wrong structure
        with pytest.raises(RuntimeError):
            jvp_fn(lib.tensor(U).float())              # wrong dtype


def _mlps(lib, count=3):
    lib.manual_seed(0)
    return [lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.BatchNorm1d(5), lib.nn.Linear(5, 2))
            .double() for _ in range(count)]


def _same_weights(torch_models, ember_models):
    for t, e in zip(torch_models, ember_models):
        e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})


def test_stack_module_state_matches_torch():
    torch_models, ember_models = _mlps(torch), _mlps(ember)
    _same_weights(torch_models, ember_models)
    expected = tf.stack_module_state(torch_models)
    actual = ef.stack_module_state(ember_models)
    for e, a in zip(expected, actual):
        assert list(e) == list(a)
        for key in e:
            np.testing.assert_array_equal(a[key].detach().numpy(), e[key].detach().numpy())
            assert a[key].requires_grad == e[key].requires_grad
            assert a[key].is_leaf == e[key].is_leaf
    data = RNG.standard_normal((6, 4))

    def run(lib, fn, models, state):
        params, buffers = state
        model = models[0]
        return fn.vmap(lambda p, b, x: fn.functional_call(model, (p, b), (x,)),
                       in_dims=(0, 0, None))(params, buffers, lib.tensor(data))
    # training mode: each model's slice of the stacked BatchNorm buffers is updated in place
    for mode in ("train", "eval"):
        for model in torch_models + ember_models:
            getattr(model, mode)()
        np.testing.assert_allclose(run(ember, ef, ember_models, actual).detach().numpy(),
                                   run(torch, tf, torch_models, expected).detach().numpy(),
                                   atol=1e-12)
        for key in expected[1]:
            np.testing.assert_allclose(actual[1][key].numpy(), expected[1][key].numpy(), atol=1e-12)


def test_in_place_write_of_a_batched_value_into_an_unbatched_tensor_is_refused_like_torch():
    for lib, fn in ((torch, tf), (ember, ef)):
        total = lib.zeros(3, dtype=lib.float64)

        def accumulate(x):
            total.add_(x)
            return x
        with pytest.raises(RuntimeError):
            fn.vmap(accumulate)(lib.tensor(X))


def test_stack_module_state_errors_like_torch():
    for lib, fn in ((torch, tf), (ember, ef)):
        with pytest.raises(RuntimeError, match="at least one model"):
            fn.stack_module_state([])
        models = _mlps(lib, 2)
        models[1].eval()
        with pytest.raises(RuntimeError, match="same training/eval mode"):
            fn.stack_module_state(models)
        with pytest.raises(RuntimeError, match="same class"):
            fn.stack_module_state([lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.Linear(2, 2))])
        models = [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)]
        models[1].weight.requires_grad_(False)
        with pytest.raises(RuntimeError, match="same .requires_grad"):
            fn.stack_module_state(models)


def test_replace_all_batch_norm_modules_matches_torch():
    torch_models, ember_models = _mlps(torch, 1), _mlps(ember, 1)
    _same_weights(torch_models, ember_models)
    t = tf.replace_all_batch_norm_modules_(torch_models[0])
    e = ef.replace_all_batch_norm_modules_(ember_models[0])
    assert t is torch_models[0] and e is ember_models[0]
    assert sorted(dict(e.named_buffers())) == sorted(dict(t.named_buffers())) == []
    assert e[1].track_running_stats is False and e[1].running_mean is None
    data = RNG.standard_normal((6, 4))
    t.eval()
    e.eval()  # without running statistics, eval mode still normalizes with the batch's own
    np.testing.assert_allclose(e(ember.tensor(data)).detach().numpy(),
                               t(torch.tensor(data)).detach().numpy(), atol=1e-12)


def test_functionalize_keeps_semantics_and_input_mutation():
    def build(lib, fn):
        def f(x):
            y = x.clone()
            y.mul_(2).add_(1)
            x.sub_(1)  # a mutation of an input reaches the caller after functionalize too
            return y.view(-1)[1:] * 3
        x = lib.tensor(W.copy())
        out = fn.functionalize(f)(x)
        out2 = fn.grad(lambda a: fn.functionalize(lambda b: (b.clone().mul_(b)).sum())(a))(
            lib.tensor(W))
        return out, x, out2
    _close(*_both(build))
    for fn in (tf, ef):
        with pytest.raises(RuntimeError, match="invalid argument for remove"):
            fn.functionalize(lambda x: x, remove="views")


def test_stateless_functional_call_is_the_deprecated_alias():
    from ember.nn.utils import stateless
    import torch.nn.utils.stateless as torch_stateless
    results = []
    for lib, module in ((torch, torch_stateless), (ember, stateless)):
        layer = lib.nn.Linear(4, 2).double()
        params = {"weight": lib.tensor(np.ones((2, 4))), "bias": lib.tensor(W[:2])}
        with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
            results.append(module.functional_call(layer, params, (lib.tensor(X),)).detach().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, atol=1e-12)
