"""ember.autograd.Function against the same Function run in PyTorch: eager, double backward, traced."""
import numpy
import pytest
import torch

import ember
import ember.func


def functions(lib):
    """The same three user Functions, written against ``lib`` (ember or torch)."""

    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class StraightThroughClamp(lib.autograd.Function):
        @staticmethod
        def forward(x, low, high):
            return x.clamp(low, high)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.bounds = inputs[1:]

        @staticmethod
        def backward(ctx, grad):
            return grad, None, None

    class ScaleAndSin(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * scale, x.sin()

        @staticmethod
        def backward(ctx, grad_scaled, grad_sin):
            (x,) = ctx.saved_tensors
            return grad_scaled * ctx.scale + grad_sin * x.cos(), None

    return Exp, StraightThroughClamp, ScaleAndSin


VALUES = [0.5, 1.2, -0.3, 2.5]


def _both(scenario):
    out = []
    for lib in (ember, torch):
        x = lib.tensor(VALUES, dtype=lib.float64, requires_grad=True)
        out.append([numpy.asarray(v.detach().tolist()) for v in scenario(lib, x)])
    for mine, reference in zip(*out):
        numpy.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-12)


def test_exp_forward_gradient_and_double_backward_match_torch():
    def scenario(lib, x):
        exp = functions(lib)[0]
        y = exp.apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return y, g, gg
    _both(scenario)


def test_straight_through_clamp_and_two_outputs_match_torch():
    def scenario(lib, x):
        _, clamp, two = functions(lib)
        c = clamp.apply(x, 0.0, 1.0)
        (gc,) = lib.autograd.grad((c * c).sum(), x)
        a, b = two.apply(x, 3.0)
        (g2,) = lib.autograd.grad((a * b + b).sum(), x)
        return c, gc, a, b, g2
    _both(scenario)


def test_gradient_matches_finite_differences():
    _, _, two = functions(ember)
    x = ember.tensor(VALUES, dtype=ember.float64, requires_grad=True)
    a, b = two.apply(x, 2.0)
    (a * b).sum().backward()
    base = numpy.array(VALUES)
    f = lambda v: float(numpy.sum(v * 2.0 * numpy.sin(v)))
    eps = 1e-6
    numeric = [(f(base + eps * e) - f(base - eps * e)) / (2 * eps) for e in numpy.eye(len(base))]
    numpy.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-7)


def test_ctx_flags_and_non_differentiable_outputs():
    seen = {}

    class ArgmaxAndMax(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            index = x.argmax()
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(x, index)
            return x.max(), index

        @staticmethod
        def backward(ctx, grad, grad_index):
            x, index = ctx.saved_tensors
            out = ember.zeros_like(x)
            out[index] = grad
            return out, None

    x = ember.tensor([1.0, 5.0, 2.0], requires_grad=True)
    top, index = ArgmaxAndMax.apply(x, ember.tensor([1.0]))
    assert seen["needs"] == (True, False)
    assert not index.requires_grad and top.requires_grad
    top.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_user_function_is_one_primitive_node_and_traces():
    exp, _, two = functions(ember)
    x = ember.tensor(VALUES, dtype=ember.float64, requires_grad=True)
    y = exp.apply(x)
    assert y._node.prim.name == "function_functions__locals__Exp"
    assert y._node.prim.vjp is not None

    @ember.function
    def step(x):
        a, b = two.apply(exp.apply(x), 2.0)
        (g,) = ember.autograd.grad((a * b).sum(), x)
        return a, g

    traced = [v.numpy() for v in step(x)]
    ops = [node.op for node in step.graph(x).nodes]
    assert "function_functions__locals__Exp" in ops and "function_functions__locals__ScaleAndSin" in ops
    assert "exp" not in ops  # the user's forward is not inlined into the graph
    x2 = ember.tensor(VALUES, dtype=ember.float64, requires_grad=True)
    a, b = two.apply(exp.apply(x2), 2.0)
    (g,) = ember.autograd.grad((a * b).sum(), x2)
    numpy.testing.assert_allclose(traced[0], a.detach().numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(traced[1], g.numpy(), rtol=1e-12)
    second = [v.numpy() for v in step(x * 2)]
    numpy.testing.assert_allclose(second[0], 2 * numpy.exp(numpy.array(VALUES) * 2), rtol=1e-12)


def test_bad_backward_is_a_clear_error():
    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(ember.errors.GradError, match="incorrect number of gradients"):
        Wrong.apply(x, 2.0).sum().backward()


def test_user_errors_pass_through_unchanged():
    class Raises(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise ValueError("my own message")

    with pytest.raises(ValueError, match="my own message"):
        Raises.apply(ember.tensor([1.0]))


def test_function_under_vmap_with_generated_rule_matches_torch():
    results = []
    for lib, transforms in ((ember, ember.func), (torch, torch.func)):
        class Exp(lib.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

            @staticmethod
            def backward(ctx, grad):
                (y,) = ctx.saved_tensors
                return grad * y

        x = lib.tensor(numpy.linspace(-1, 1, 6).reshape(3, 2))
        per_example = transforms.vmap(transforms.grad(lambda v: (Exp.apply(v) * v.sin()).sum()))(x)
        results.append(numpy.asarray(per_example.tolist()))
    numpy.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_function_without_vmap_rule_names_itself():
    exp = functions(ember)[0]
    with pytest.raises(ember.errors.EmberError, match="Exp has no batching rule"):
        ember.func.vmap(exp.apply)(ember.ones(2, 3))
