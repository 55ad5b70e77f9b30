"""``ctx.mark_dirty``: custom Functions that write their input in place, as PyTorch's do.

Each scenario runs the same code on PyTorch and Ember (``lib`` is ``torch`` or ``ember``) and
compares values, gradients, version bumps, identity of the returned tensor and errors.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _functions(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class AddInto(lib.autograd.Function):
        """x += w * y in place; saves the new x (a dirty input is saved as the output)."""

        @staticmethod
        def forward(ctx, x, w, y):
            x.add_(w * y)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x, w, y)
            return x

        @staticmethod
        def backward(ctx, grad):
            new_x, w, y = ctx.saved_tensors
            return grad, (grad * y).sum(), grad * w + 0 * new_x

    class ExpAndCopy(lib.autograd.Function):
        """Two outputs: the input overwritten with its exp, and a separate copy of it."""

        @staticmethod
        def forward(ctx, x):
            x.exp_()
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x, x.clone() * 3

        @staticmethod
        def backward(ctx, grad_x, grad_copy):
            (value,) = ctx.saved_tensors
            return (grad_x + 3 * grad_copy) * value

    return Double, AddInto, ExpAndCopy


def _array(lib, values, requires_grad=False):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def _numpy(tensor):
    return np.asarray(tensor.detach().tolist())


def _version(tensor) -> int:
    return tensor._version if isinstance(tensor, torch.Tensor) else tensor._version_value


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_returns_the_input_modified_with_history_and_bumped_version(lib):
    Double, _, _ = _functions(lib)
    a = _array(lib, [1.0, -2.0, 3.0], requires_grad=True)
    b = a.clone()
    version = _version(b)
    c = Double.apply(b)
    assert c is b
    assert _version(b) == version + 2  # forward's mul_, then the call's own bump (as PyTorch)
    assert b.requires_grad and not b.is_leaf
    np.testing.assert_allclose(_numpy(b), [2.0, -4.0, 6.0])
    (b * b).sum().backward()
    np.testing.assert_allclose(_numpy(a.grad), [8.0, -16.0, 24.0])  # d/da (2a)^2


def _scenario_saved_output(lib):
    _, AddInto, _ = _functions(lib)
    x0 = _array(lib, [0.5, 1.5], requires_grad=True)
    w = _array(lib, 2.0, requires_grad=True)
    y = _array(lib, [1.0, -1.0], requires_grad=True)
    x = x0 * 1.0
    out = AddInto.apply(x, w, y)
    loss = (out * _array(lib, [3.0, 5.0])).sum()
    loss.backward()
    return [_numpy(out), _numpy(x0.grad), _numpy(w.grad), _numpy(y.grad)]


def _scenario_two_outputs(lib):
    _, _, ExpAndCopy = _functions(lib)
    a = _array(lib, [0.1, -0.4, 0.7], requires_grad=True)
    x = a + 0.0
    written, copy = ExpAndCopy.apply(x)
    assert written is x
    (written * 2 + copy * copy).sum().backward()
    return [_numpy(written), _numpy(copy), _numpy(a.grad)]


def _scenario_not_requiring_grad_input(lib):
    """A leaf that needs no gradient may be written; with a parameter in play it joins the graph."""
    _, AddInto, _ = _functions(lib)
    x = _array(lib, [1.0, 2.0])
    w = _array(lib, 0.5, requires_grad=True)
    y = _array(lib, [4.0, 6.0])
    out = AddInto.apply(x, w, y)
    assert out is x and x.requires_grad and x.grad_fn is not None
    out.sum().backward()
    return [_numpy(x), _numpy(w.grad)]


def _scenario_no_grad(lib):
    Double, _, _ = _functions(lib)
    x = _array(lib, [1.0, 2.0])
    with lib.no_grad():
        out = Double.apply(x)
    assert out is x and _version(x) == 2 and not x.requires_grad
    return [_numpy(x)]


@pytest.mark.parametrize("scenario", [_scenario_saved_output, _scenario_two_outputs,
                                      _scenario_not_requiring_grad_input, _scenario_no_grad])
def test_values_and_gradients_match_torch(scenario):
    for mine, theirs in zip(scenario(ember), scenario(torch), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_a_tensor_saved_earlier_is_caught_after_the_write(lib):
    Double, _, _ = _functions(lib)
    a = _array(lib, [0.3, 0.6], requires_grad=True)
    b = a.sigmoid()  # sigmoid's backward reads its output b
    Double.apply(b)
    with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by an in-place"):
        b.sum().backward()


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_writing_the_call_result_again_is_caught(lib):
    _, AddInto, _ = _functions(lib)
    x = _array(lib, [1.0, 2.0], requires_grad=True) * 1.0
    w = _array(lib, 0.5, requires_grad=True)
    out = AddInto.apply(x, w, _array(lib, [4.0, 6.0]))
    out.add_(1.0)  # the call saved its (new) x: this write makes it stale
    with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by an in-place"):
        out.sum().backward()


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_a_leaf_requiring_grad_cannot_be_written(lib):
    Double, _, _ = _functions(lib)
    leaf = _array(lib, [1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        Double.apply(leaf)


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_a_dirty_tensor_must_be_returned(lib):
    class Forgets(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="not returned as output|were not returned"):
        Forgets.apply(_array(lib, [1.0], requires_grad=True) * 1.0)


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_in_place_on_a_view_reaches_the_base(lib):
    Double, _, _ = _functions(lib)
    a = _array(lib, [1.0, 2.0, 3.0, 4.0], requires_grad=True)
    base = a * 1.0
    Double.apply(base[1:3])
    np.testing.assert_allclose(_numpy(base), [1.0, 4.0, 6.0, 4.0])
    (base * base).sum().backward()
    np.testing.assert_allclose(_numpy(a.grad), [2.0, 16.0, 24.0, 8.0])


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_an_unmarked_write_in_forward_still_counts(lib):
    class Sneaky(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1.0)  # not marked dirty
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    a = _array(lib, [1.0, 2.0], requires_grad=True)
    b = a.exp()  # exp's backward reads its output b
    Sneaky.apply(b)
    assert _version(b) == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by an in-place"):
        b.sum().backward()


def test_compiled_call_writes_once_and_differentiates_as_eager():
    Double, _, _ = _functions(ember)

    def step(a, buffer):
        doubled = Double.apply(a * 1.0)
        Double.apply(buffer)  # a graph input written in place: the caller's tensor changes
        (grad,) = ember.autograd.grad((doubled * doubled).sum(), [a])
        return doubled, grad

    a = ember.tensor([1.0, -2.0], requires_grad=True)
    buffer = ember.tensor([1.0, 3.0])
    compiled = ember.function(step)
    for calls in (1, 2):
        doubled, grad = compiled(a, buffer)
        np.testing.assert_allclose(doubled.numpy(), [2.0, -4.0])
        np.testing.assert_allclose(grad.numpy(), [8.0, -16.0])
        np.testing.assert_allclose(buffer.numpy(), np.array([1.0, 3.0]) * 2 ** calls)
