"""ember.autograd.grad and higher-order gradients, checked against PyTorch."""
import numpy
import pytest

import ember

RNG = numpy.random.default_rng(7)
MATRIX = RNG.standard_normal((4, 4))
POINT = RNG.standard_normal(4)
DIRECTION = RNG.standard_normal(4)
WEIGHTS = RNG.standard_normal((3, 5))
BATCH = RNG.standard_normal((6, 5))


def f64(lib, data, requires_grad=False):
    return lib.tensor(data, dtype=lib.float64, requires_grad=requires_grad)


def test_grad_returns_a_tuple_and_leaves_dot_grad_alone(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        result = lib.autograd.grad((x ** 2).sum(), x)
        assert isinstance(result, tuple) and x.grad is None
        return result
    matches_torch(scenario)


def test_grad_outputs_weights_non_scalar_outputs(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0, 3.0], requires_grad=True)
        return lib.autograd.grad(x.tanh(), x, grad_outputs=f64(lib, [1.0, -2.0, 0.5]))
    matches_torch(scenario)


def test_grad_of_several_outputs_and_inputs(matches_torch):
    def scenario(lib):
        a = f64(lib, [1.0, 2.0], requires_grad=True)
        b = f64(lib, [3.0, -1.0], requires_grad=True)
        outputs = [(a * b).sum(), (a.exp() + b).sum()]
        return lib.autograd.grad(outputs, [a, b])
    matches_torch(scenario)


def test_grad_with_respect_to_an_intermediate(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        hidden = x * 2
        return lib.autograd.grad((hidden * hidden).sum(), hidden)
    matches_torch(scenario)


def test_retain_graph_allows_calling_grad_twice(matches_torch):
    def scenario(lib):
        x = f64(lib, [0.3, 0.7], requires_grad=True)
        y = (x.sin() * x).sum()
        first = lib.autograd.grad(y, x, retain_graph=True)
        second = lib.autograd.grad(y, x)
        return first, second
    matches_torch(scenario)


def test_grad_without_retain_graph_frees_the_graph():
    x = ember.tensor([0.3, 0.7], requires_grad=True)
    y = (x.sin() * x).sum()
    ember.autograd.grad(y, x)
    with pytest.raises(ember.GradError, match="second time"):
        ember.autograd.grad(y, x)


def test_unused_input_raises_unless_allowed(matches_torch):
    def scenario(lib):
        x = f64(lib, 2.0, requires_grad=True)
        unused = f64(lib, 5.0, requires_grad=True)
        with pytest.raises(RuntimeError, match="allow_unused"):
            lib.autograd.grad(x * 3, [x, unused])
        return lib.autograd.grad(x * 3, [x, unused], allow_unused=True)
    dx, dunused = matches_torch(scenario)
    assert dunused is None


def test_unused_input_error_is_an_ember_error():
    x = ember.tensor(2.0, requires_grad=True)
    unused = ember.tensor(5.0, requires_grad=True)
    with pytest.raises(ember.GradError):
        ember.autograd.grad(x * 3, [x, unused])


def test_create_graph_false_gives_a_constant():
    x = ember.tensor(2.0, requires_grad=True)
    (dx,) = ember.autograd.grad(x ** 3, x)
    assert not dx.requires_grad and dx.grad_fn is None


def test_third_derivative(matches_torch):
    def scenario(lib):
        x = f64(lib, 0.7, requires_grad=True)
        y = x.sin() * x ** 3
        (d1,) = lib.autograd.grad(y, x, create_graph=True)
        (d2,) = lib.autograd.grad(d1, x, create_graph=True)
        (d3,) = lib.autograd.grad(d2, x)
        return d1, d2, d3
    matches_torch(scenario)


def test_hessian_vector_product(matches_torch):
    def scenario(lib):
        x = f64(lib, POINT, requires_grad=True)
        loss = ((f64(lib, MATRIX) @ x).tanh() ** 2).sum() + (x.exp() * x).sum()
        (gradient,) = lib.autograd.grad(loss, x, create_graph=True)
        (hvp,) = lib.autograd.grad((gradient * f64(lib, DIRECTION)).sum(), x)
        return hvp
    matches_torch(scenario, rtol=1e-10)


def test_hessian_vector_product_matches_explicit_hessian():
    """H v for f(x) = sum(exp(A x)): the Hessian is A^T diag(exp(A x)) A."""
    x = ember.tensor(POINT, dtype=ember.float64, requires_grad=True)
    loss = (ember.tensor(MATRIX, dtype=ember.float64) @ x).exp().sum()
    (gradient,) = ember.autograd.grad(loss, x, create_graph=True)
    (hvp,) = ember.autograd.grad(
        (gradient * ember.tensor(DIRECTION, dtype=ember.float64)).sum(), x)
    hessian = MATRIX.T @ numpy.diag(numpy.exp(MATRIX @ POINT)) @ MATRIX
    numpy.testing.assert_allclose(numpy.asarray(hvp), hessian @ DIRECTION, rtol=1e-10)


def test_gradient_penalty(matches_torch):
    """WGAN-GP style: penalise the input-gradient norm, then step on the weights."""
    def scenario(lib):
        weights = f64(lib, WEIGHTS, requires_grad=True)
        inputs = f64(lib, BATCH, requires_grad=True)
        critic = (inputs @ weights.t()).sigmoid().sum()
        (input_grad,) = lib.autograd.grad(critic, inputs, create_graph=True)
        norms = (input_grad ** 2).sum(dim=1).sqrt()
        penalty = ((norms - 1) ** 2).mean()
        penalty.backward()
        return penalty, weights.grad, inputs.grad
    matches_torch(scenario, rtol=1e-10)


def test_materialize_grads_gives_zeros_for_unused_inputs(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        unused = f64(lib, 1.0, requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), [x, unused], materialize_grads=True)
    matches_torch(scenario)


def test_grad_of_a_tensor_with_respect_to_itself(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        return lib.autograd.grad(x, x, grad_outputs=f64(lib, [3.0, 4.0]))
    matches_torch(scenario)
