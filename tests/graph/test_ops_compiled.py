"""Compiled forward passes and gradients equal eager execution, across many ops."""
import numpy
import pytest

import ember

from .conftest import as_numpy, assert_close, check_compiled

F64 = ember.float64


def t(rng, *shape, positive=False):
    data = rng.standard_normal(shape)
    return ember.tensor(numpy.abs(data) + 0.5 if positive else data, dtype=F64)


UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg", "erf",
         "log1p", "expm1", "square", "rsqrt", "gelu", "silu", "softplus"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_forward_and_gradient(rng, name):
    op = getattr(ember, name)
    positive = name in ("log", "sqrt", "rsqrt", "log1p")

    def f(x):
        x = x.detach().requires_grad_()
        y = op(x)
        (grad,) = ember.autograd.grad(y.sum(), x)
        return y, grad
    check_compiled(f, t(rng, 3, 4, positive=positive))


COMPOSITES = {
    "softmax": lambda x, y: ember.softmax(x, dim=1),
    "log_softmax": lambda x, y: ember.log_softmax(x, dim=0),
    "logsumexp": lambda x, y: ember.logsumexp(x, 1),
    "broadcast_arith": lambda x, y: (x * y[0] - y[1:2] / (y[0] ** 2 + 1)).sum(0),
    "matmul": lambda x, y: x @ y.T,
    "reductions": lambda x, y: x.mean(0) + x.amax(1).sum() - x.var(1).mean() + x.std(),
    "shapes": lambda x, y: x.reshape(4, 3).permute(1, 0).flatten() * 2,
    "indexing": lambda x, y: x[1:, ::2] + x[0, 1] + x[:, [0, 2]].sum(),
    "cat_stack": lambda x, y: ember.cat([x, y], 0).sum(1) + ember.stack([x, y]).mean(),
    "where_clamp": lambda x, y: ember.where(x > 0, x, y).clamp(-0.5, 0.5) + x.clamp(min=0),
    "maximum_pow": lambda x, y: ember.maximum(x, y) ** 3 + ember.minimum(x, 0.1),
    "norms": lambda x, y: x.norm() + ember.norm(y, 1, dim=1).sum(),
    "einsum": lambda x, y: ember.einsum("ij,kj->ik", x, y),
    "pad_flip": lambda x, y: ember.pad(x, (1, 2)).flip(0).cumsum(1),
    "tril": lambda x, y: ember.tril(x @ y.T) + ember.triu(x @ y.T, 1),
    "split_chunk": lambda x, y: sum(p.sum() for p in x.split(2, 1)) + ember.chunk(y, 3, 0)[0].sum(),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite_forward_and_gradients(rng, name):
    op = COMPOSITES[name]

    def f(x, y):
        x, y = x.detach().requires_grad_(), y.detach().requires_grad_()
        out = op(x, y)
        grads = ember.autograd.grad((out * out).sum(), [x, y], allow_unused=True, materialize_grads=True)
        return out, list(grads)
    check_compiled(f, t(rng, 3, 4), t(rng, 3, 4))


def test_integer_and_bool_ops(rng):
    def f(x, i):
        return (i * 2 + 1) % 5, (x > 0).sum(), ember.argmax(x, 1), (i // 2).float() + x.sum(0)
    check_compiled(f, t(rng, 3, 4), ember.tensor([1, 2, 3, 4]))


def test_backward_accumulates_into_argument_grads(rng):
    def f(x, w):
        loss = ((x @ w).tanh() ** 2).sum()
        loss.backward()
        return loss
    x, w = t(rng, 5, 3), t(rng, 3, 2).requires_grad_()
    eager_w = w.detach().clone().requires_grad_()
    expected = f(x, eager_w)
    compiled = ember.function(f)
    assert_close(as_numpy(compiled(x, w)), as_numpy(expected))
    assert_close(as_numpy(w.grad), as_numpy(eager_w.grad))
    f(x, eager_w)
    compiled(x, w)  # a second call accumulates into the existing .grad
    assert_close(as_numpy(w.grad), as_numpy(eager_w.grad))


def test_higher_order_gradients(rng):
    def f(x):
        x = x.detach().requires_grad_()
        y = (x.sin() * x ** 3).sum()
        (dx,) = ember.autograd.grad(y, x, create_graph=True)
        (ddx,) = ember.autograd.grad(dx.sum(), x, create_graph=True)
        (dddx,) = ember.autograd.grad(ddx.sum(), x)
        return dx, ddx, dddx
    check_compiled(f, t(rng, 5))


def test_against_torch(rng):
    torch = pytest.importorskip("torch")
    x_data = rng.standard_normal((4, 3))

    @ember.function
    def f(x):
        x = x.detach().requires_grad_()
        y = (ember.softmax(x, 1) * x.exp()).sum()
        return ember.autograd.grad(y, x)[0]
    tx = torch.tensor(x_data, requires_grad=True)
    (torch.softmax(tx, 1) * tx.exp()).sum().backward()
    numpy.testing.assert_allclose(as_numpy(f(ember.tensor(x_data))), tx.grad.numpy(), rtol=1e-10)


def test_nested_inputs_and_outputs(rng):
    def f(data, scale):
        a, (b, c) = data["pair"], data["rest"]
        return {"sum": a + b * scale, "list": [c.sum(), (a, scale)]}
    inputs = {"pair": t(rng, 2), "rest": (t(rng, 2), t(rng, 3))}
    compiled = check_compiled(f, inputs, 3.0)
    out = compiled(inputs, 3.0)
    assert out["list"][1][1] == 3.0 and isinstance(out["list"], list)


def test_float32_matches_eager_to_float32_tolerance(rng):
    x = ember.tensor(rng.standard_normal((8, 5)), dtype=ember.float32)
    check_compiled(lambda x: (ember.softmax(x @ x.T, 1) * x.sum()).tanh(), x, rtol=1e-5, atol=1e-6)
