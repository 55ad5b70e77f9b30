"""mul and div save only the operands their VJP reads (as PyTorch), so writing the other one
in place before backward is allowed, while a write to an operand that is read still raises."""
import numpy
import pytest
import torch

import ember
from ember.errors import GradError


def test_overwriting_a_slice_scaled_by_a_constant():
    w = ember.ones(3, requires_grad=True)
    s = w * 1.0
    s[1] = s[1] * 2  # s[1] * 2 never reads s[1] for its gradient
    s.sum().backward()
    tw = torch.ones(3, requires_grad=True)
    ts = tw * 1.0
    ts[1] = ts[1] * 2
    ts.sum().backward()
    numpy.testing.assert_array_equal(w.grad.numpy(), tw.grad.numpy())


@pytest.mark.parametrize("op", ["mul", "div"])
def test_constant_tensor_operand_is_not_saved(op):
    w = ember.ones(3, requires_grad=True)
    c = ember.full((3,), 2.0)
    s = w * 1.0
    out = getattr(ember, op)(s, c)  # c needs no gradient: s is not read
    s.mul_(5)
    out.sum().backward()
    expected = numpy.full(3, 2.0 if op == "mul" else 0.5)
    numpy.testing.assert_allclose(w.grad.numpy(), expected)


def test_operand_that_is_read_still_guarded():
    w = ember.ones(3, requires_grad=True)
    v = ember.ones(3, requires_grad=True)
    s = w * 1.0
    out = s * v  # v's gradient reads s
    s.mul_(5)
    with pytest.raises(GradError, match="modified by an in-place operation"):
        out.sum().backward()


def test_divisor_is_always_read():
    w = ember.ones(3, requires_grad=True)
    d = w * 2.0
    out = 1.0 / d
    d.mul_(3)
    with pytest.raises(GradError, match="'div'"):
        out.sum().backward()


def _scale_function(lib, save):
    class Scale(lib.autograd.Function):
        """x * w; saves what ``save`` names ("input", "output" or nothing)."""

        @staticmethod
        def forward(ctx, x, w):
            out = x * w
            ctx.save_for_backward(*{"input": (x, w), "output": (out, w), "none": ()}[save])
            ctx.w = w.detach().clone()  # state kept on ctx is not version-checked
            return out

        @staticmethod
        def backward(ctx, grad):
            ctx.saved_tensors  # PyTorch checks the versions as backward reads them
            return grad * ctx.w, None

    return Scale


@pytest.mark.parametrize("save", ["input", "none"])
def test_custom_function_output_written_in_place_when_not_saved(save):
    """F.relu_ on a Function's output (the fused conv + batch norm tutorial) is allowed when
    the Function saved only its inputs, as in PyTorch; x written in place too when unsaved."""
    grads = {}
    for lib in (ember, torch):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = lib.tensor([0.5, 2.0, -1.0])
        y = x * 1
        out = _scale_function(lib, save).apply(y, w)
        lib.nn.functional.relu_(out)
        if save == "none":
            y.mul_(10)
        out.sum().backward()
        grads[lib.__name__] = x.grad.numpy()
    numpy.testing.assert_array_equal(grads["ember"], grads["torch"])


@pytest.mark.parametrize("save", ["input", "output"])
def test_custom_function_saved_tensor_written_in_place_still_raises(save):
    for lib, error in ((ember, GradError), (torch, RuntimeError)):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 1
        out = _scale_function(lib, save).apply(y, lib.tensor([0.5, 2.0, -1.0]))
        (out if save == "output" else y).mul_(2)
        with pytest.raises(error, match="modified by an inplace operation|modified by an in-place"):
            out.sum().backward()
