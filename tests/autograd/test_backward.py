"""Tensor.backward: accumulation, its arguments, graph freeing, graph shapes."""
import gc
import sys
import weakref

import numpy
import pytest

import ember


def f64(lib, data, requires_grad=False):
    return lib.tensor(data, dtype=lib.float64, requires_grad=requires_grad)


# --- accumulation ------------------------------------------------------------
def test_leaf_grad_accumulates_across_two_backwards(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, -2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        first = x.grad.clone()
        (x.exp() * 2).sum().backward()
        return first, x.grad
    first, total = matches_torch(scenario)
    numpy.testing.assert_allclose(first, [2.0, -4.0, 6.0])


def test_grad_can_be_reset_between_backwards():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_accumulation_does_not_write_into_the_gradient_argument():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    seed = ember.tensor([1.0, 1.0])
    x.backward(gradient=seed)  # a leaf's gradient is the seed itself
    (x * 1).backward(gradient=seed)
    assert seed.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [2.0, 2.0]


# --- backward(gradient=, retain_graph=, create_graph=, inputs=) --------------
def test_gradient_argument_weights_a_non_scalar_output(matches_torch):
    def scenario(lib):
        x = f64(lib, [[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x.sin() * x
        y.backward(gradient=f64(lib, [[1.0, -1.0], [0.5, 2.0]]))
        return x.grad
    matches_torch(scenario)


def test_retain_graph_allows_a_second_backward(matches_torch):
    def scenario(lib):
        x = f64(lib, [0.5, 1.5], requires_grad=True)
        loss = (x.exp() * x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return x.grad
    matches_torch(scenario)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_create_graph_makes_grad_differentiable(matches_torch):
    def scenario(lib):
        x = f64(lib, [0.5, -1.5], requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        assert first.requires_grad
        x.grad = None
        first.sum().backward()  # d/dx of 3x^2 is 6x
        return first, x.grad
    first, second = matches_torch(scenario)
    numpy.testing.assert_allclose(second, [3.0, -9.0])


def test_inputs_limits_which_leaves_get_grad(matches_torch):
    def scenario(lib):
        a = f64(lib, 2.0, requires_grad=True)
        b = f64(lib, 3.0, requires_grad=True)
        (a * b * b).backward(inputs=[a])
        return a.grad, b.grad
    a_grad, b_grad = matches_torch(scenario)
    assert b_grad is None


def test_inputs_may_name_a_non_leaf(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 2
        (y * y).sum().backward(inputs=[y])
        return y.grad, x.grad
    matches_torch(scenario)


def test_backward_of_several_roots_sums(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        lib.autograd.backward([(x * x).sum(), (x * 3).sum()])
        return x.grad
    matches_torch(scenario)


# --- freeing the graph -------------------------------------------------------
def test_saved_tensors_are_freed_after_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    loss = (hidden * hidden).sum()  # mul saves ``hidden``
    alive = weakref.ref(hidden)
    del hidden
    gc.collect()
    assert alive() is not None, "the graph must keep a saved input until backward"
    loss.backward()
    gc.collect()
    assert alive() is None, "backward without retain_graph must release saved tensors"


def test_retain_graph_keeps_saved_tensors():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    loss = (hidden * hidden).sum()
    alive = weakref.ref(hidden)
    del hidden
    loss.backward(retain_graph=True)
    gc.collect()
    assert alive() is not None


def test_second_backward_without_retain_graph_raises_clearly():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(ember.GradError, match="second time") as caught:
        loss.backward()
    assert "retain_graph=True" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)  # what PyTorch raises


# --- graph shapes ------------------------------------------------------------
def test_diamond_graph_accumulates_both_paths(matches_torch):
    def scenario(lib):
        x = f64(lib, 2.0, requires_grad=True)
        shared = x * x           # used by both branches
        left = shared.sin()
        right = shared * 3
        (left * right + shared).backward()
        return x.grad
    matches_torch(scenario)


def test_tensor_used_many_times_in_one_op(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, -2.0], requires_grad=True)
        y = x * x * x + x / (x * x + 1)
        y.sum().backward()
        return x.grad
    matches_torch(scenario)


def test_long_chain_needs_no_recursion():
    x = ember.tensor([1.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # far below the chain length, so recursion would fail
    try:
        y.sum().backward()
        del y  # freeing a 100,000-deep graph must not overflow either
        gc.collect()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.tolist() == [1.0]


# --- non-float results -------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda x: x.argmax(),
    lambda x: x > 0,
    lambda x: x == x,
    lambda x: ember.isnan(x),
    lambda x: ember.cast(x, ember.int64),
    lambda x: x.long(),
    lambda x: x.to(ember.int32),
], ids=["argmax", "gt", "eq", "isnan", "cast", "long", "to_int32"])
def test_non_float_outputs_never_require_grad(op):
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    out = op(x)
    assert not out.is_floating_point()
    assert out.requires_grad is False
    assert out.grad_fn is None


def test_backward_on_an_integer_result_raises():
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    with pytest.raises(ember.GradError, match="does not require grad"):
        x.argmax().backward()


def test_backward_works_inside_no_grad(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        loss = (x * x).sum()
        with lib.no_grad():
            loss.backward()
        return x.grad
    matches_torch(scenario)


def test_hook_on_the_root_changes_the_seed(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        loss = (x * 3).sum()
        loss.register_hook(lambda grad: grad * 2)
        loss.backward()
        return x.grad
    matches_torch(scenario)


def test_integer_operand_gets_no_gradient(matches_torch):
    def scenario(lib):
        x = f64(lib, [1.0, 2.0], requires_grad=True)
        counts = lib.tensor([3, 4])
        (x * counts).sum().backward()
        assert not counts.requires_grad and counts.grad is None
        return x.grad
    matches_torch(scenario)


def test_grad_keeps_the_leaf_dtype():
    x = ember.tensor([1.0, 2.0], dtype=ember.float32, requires_grad=True)
    (ember.cast(x, ember.float64) * 2).sum().backward()
    assert x.grad.dtype == ember.float32


def test_assigning_a_grad_of_the_wrong_shape_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x.grad = ember.ones(3)
