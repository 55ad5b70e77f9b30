"""ember.autograd.gradcheck/gradgradcheck/Variable/variable against torch.autograd on the same
functions and float64 inputs: the same verdicts (True, False, or the same error), and the
numerical Jacobian equal to PyTorch's (to 1e-8: central differences amplify last-bit
differences in the two libraries' function values by 1/(2·eps))."""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
A = RNG.standard_normal((2, 3))
B = RNG.standard_normal(3)
LIBS = (torch, ember)


def _inputs(lib, requires_grad=True):
    return (lib.tensor(A, requires_grad=requires_grad), lib.tensor(B, requires_grad=requires_grad))


def _good(lib):
    def f(a, b):
        return (a.sin() * b).sum(1), a.exp() @ b.tanh(), a.argmax()
    return f


def _custom(lib, backward_scale=3.0, detach_saved=False, noise=0.0):
    """x**2 with a backward of ``backward_scale * x * g`` (2 is right), optionally non-differentiable
    (``detach_saved``) or non-deterministic (``noise``)."""
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            x = x.detach() if detach_saved else x
            jitter = lib.tensor(np.random.default_rng().standard_normal(tuple(g.shape))) * noise
            return (backward_scale * x + jitter) * g
    return Square.apply


@pytest.mark.parametrize("lib", LIBS, ids=["torch", "ember"])
@pytest.mark.parametrize("options", [{}, {"fast_mode": True}, {"check_forward_ad": True},
                                     {"check_batched_grad": True}],
                         ids=["default", "fast", "forward", "batched"])
def test_correct_gradients_pass(lib, options):
    assert lib.autograd.gradcheck(_good(lib), _inputs(lib), **options) is True


@pytest.mark.parametrize("fast_mode", [False, True])
def test_wrong_gradients_raise_or_return_false_like_torch(fast_mode):
    for lib in LIBS:
        check = lib.autograd.gradcheck
        x = lib.tensor(A, requires_grad=True)
        module = sys.modules[f"{lib.__name__}.autograd.gradcheck"]
        with pytest.raises(module.GradcheckError, match="Jacobian mismatch for output 0 with "
                                                        "respect to input 0") as raised:
            check(_custom(lib), (x,), fast_mode=fast_mode)
        assert isinstance(raised.value, RuntimeError)
        assert check(_custom(lib), (x,), fast_mode=fast_mode, raise_exception=False) is False
        assert check(_custom(lib, 2.0), (x,), fast_mode=fast_mode) is True


def test_numerical_jacobian_equals_torchs():
    ours = sys.modules["ember.autograd.gradcheck"]._numerical(
        _good(ember), _inputs(ember), [0, 1], 1e-6)
    theirs = sys.modules["torch.autograd.gradcheck"]._get_numerical_jacobian(
        lambda a, b: _good(torch)(a, b)[:2], _inputs(torch), eps=1e-6)
    # both: one entry per input, one (input numel, output numel) block per float output
    for i_index, blocks in enumerate(theirs):
        for o_index, block in enumerate(blocks):
            # not 1e-12: the libraries' function values differ in the last bit, and central
            # differences divide that by 2·eps
            np.testing.assert_allclose(ours[i_index][o_index], block.numpy(), rtol=1e-8,
                                       atol=1e-8)


def test_input_errors_and_warnings_like_torch():
    for lib in LIBS:
        with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
            lib.autograd.gradcheck(_good(lib), _inputs(lib, requires_grad=False))
        single = lib.tensor(B.astype("float32"), requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # a single tensor, not a tuple, is accepted too
            lib.autograd.gradcheck(lambda x: x * 2, single, raise_exception=False)
        assert any("is not a double precision floating point" in str(w.message) for w in caught)


def test_outputs_that_do_not_require_grad_like_torch():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        assert lib.autograd.gradcheck(lambda a: a.argmax(), (x,)) is True
        with pytest.raises(RuntimeError, match="Numerical gradient for function expected to be zero"):
            lib.autograd.gradcheck(lambda a: a.detach().sin(), (x,))


def test_backward_must_scale_with_grad_output_like_torch():
    for lib in LIBS:
        class Offset(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2 + (g == 0).double() * 1e-9  # nonzero for a zero output gradient
        with pytest.raises(RuntimeError, match="backward not multiplied by grad_output"):
            lib.autograd.gradcheck(Offset.apply, (lib.tensor(B, requires_grad=True),))


def test_nondeterministic_backward_like_torch():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        with pytest.raises(RuntimeError, match="Backward is not reentrant"):
            lib.autograd.gradcheck(_custom(lib, 2.0, noise=1e-9), (x,))
        assert lib.autograd.gradcheck(_custom(lib, 2.0, noise=1e-9), (x,), nondet_tol=1e-6)


def test_gradgradcheck_like_torch():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        assert lib.autograd.gradgradcheck(_good(lib), _inputs(lib)) is True
        assert lib.autograd.gradgradcheck(lambda a: (a ** 3).sum(), (x,),
                                          lib.tensor(1.5, dtype=lib.float64)) is True
        # right first derivative, wrong second one (the backward is not differentiable)
        detached = _custom(lib, 2.0, detach_saved=True)
        assert lib.autograd.gradcheck(detached, (x,)) is True
        with pytest.raises(RuntimeError, match="Jacobian mismatch"):
            lib.autograd.gradgradcheck(detached, (x,))
        assert lib.autograd.gradgradcheck(detached, (x,), raise_exception=False) is False


def test_variable_is_the_legacy_tensor_alias_like_torch():
    for lib in LIBS:
        Variable = lib.autograd.Variable
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        v = Variable(y)
        assert (v.requires_grad, v.is_leaf, v.grad_fn) == (False, True, None)
        assert isinstance(y, Variable) and not isinstance(1.0, Variable)
        w = Variable(y, requires_grad=True)
        assert w.requires_grad and w.is_leaf
        with lib.no_grad():
            y.add_(1)
        assert v.tolist() == [3.0, 3.0]  # shares the data
        assert tuple(Variable().shape) == (0,)
        with pytest.raises(TypeError, match="Variable data has to be a tensor"):
            Variable([1.0, 2.0])
        with pytest.raises(RuntimeError):
            Variable(lib.tensor([1, 2]), requires_grad=True)
        with pytest.warns(UserWarning, match="volatile was removed"):
            Variable(lib.zeros(2), volatile=True)
        with pytest.raises(RuntimeError, match="deprecated, use torch.tensor"):
            lib.autograd.variable(lib.zeros(2))


def test_set_multithreading_enabled_like_torch():
    from ember.autograd.multithreading import is_multithreading_enabled
    readers = {torch: torch._C._is_multithreading_enabled, ember: is_multithreading_enabled}
    for lib in LIBS:
        read = readers[lib]
        assert read() is True
        with lib.autograd.set_multithreading_enabled(False):
            assert read() is False
        assert read() is True
        lib.autograd.set_multithreading_enabled(False)  # called, it sets the mode at once
        assert read() is False
        lib.autograd.set_multithreading_enabled(True)

        @lib.autograd.set_multithreading_enabled(False)
        def inside():
            return read()
        # PyTorch's quirk, kept: making the decorator sets the mode, and it stays set
        assert read() is False and inside() is False and read() is False
        lib.autograd.set_multithreading_enabled(True)
