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
