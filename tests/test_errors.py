"""Errors a user can provoke: Ember types, PyTorch's builtin bases, messages naming op and shapes.

Each case gives the code, the builtin PyTorch raises there (so ``except
RuntimeError`` ported from PyTorch still works), the Ember class, and text
the message must contain. No case may surface a raw NumPy exception.
"""
import traceback

import numpy
import pytest
import torch

import ember


def ones(*shape):
    return ember.ones(*shape)


CASES = {
    "broadcast_add": (lambda: ones(2, 3) + ones(4), RuntimeError, ember.ShapeError,
                      ["add", "(2, 3)", "(4,)"]),
    "broadcast_mul": (lambda: ember.mul(ones(5, 1, 3), ones(2, 2)), RuntimeError, ember.ShapeError,
                      ["mul", "(5, 1, 3)", "(2, 2)"]),
    "broadcast_where": (lambda: ember.where(ones(2, 3) > 0, ones(3), ones(4)), RuntimeError,
                        ember.ShapeError, ["where", "(3,)", "(4,)"]),
    "matmul": (lambda: ones(2, 3) @ ones(4, 5), RuntimeError, ember.ShapeError,
               ["matmul", "(2, 3)", "(4, 5)"]),
    "matmul_batched": (lambda: ember.matmul(ones(2, 3, 4), ones(2, 5, 6)), RuntimeError,
                       ember.ShapeError, ["matmul", "(2, 3, 4)", "(2, 5, 6)"]),
    "matmul_vectors": (lambda: ember.matmul(ones(3), ones(4)), RuntimeError, ember.ShapeError,
                       ["matmul", "(3,)", "(4,)"]),
    "backward_non_scalar": (lambda: (ones(2, 3).requires_grad_() * 2).backward(), RuntimeError,
                            ember.GradError, ["backward", "scalar", "(2, 3)", "gradient"]),
    "backward_gradient_shape": (lambda: (ones(2).requires_grad_() * 2).backward(gradient=ones(3)),
                                RuntimeError, ember.GradError, ["backward", "(3,)", "(2,)"]),
    "index_out_of_range": (lambda: ones(3)[5], IndexError, ember.EmberIndexError,
                           ["getitem", "5", "(3,)"]),
    "index_second_axis": (lambda: ones(3, 4)[1, -5], IndexError, ember.EmberIndexError,
                          ["getitem", "-5", "(3, 4)"]),
    "index_tensor": (lambda: ones(3)[ember.tensor([0, 7])], IndexError, ember.EmberIndexError,
                     ["getitem", "7", "(3,)"]),
    "index_too_many": (lambda: ones(3)[0, 0], IndexError, ember.EmberIndexError,
                       ["getitem", "(3,)"]),
    "dim_out_of_range": (lambda: ones(2, 3).sum(dim=5), IndexError, ember.EmberIndexError,
                         ["sum", "5"]),
    "dtype_float128": (lambda: ember.zeros(2, dtype="float128"), TypeError, ember.DTypeError,
                       ["float128"]),
    "dtype_bogus": (lambda: ember.tensor([1], dtype="bogus"), TypeError, ember.DTypeError,
                    ["bogus", "float32"]),
    # complex64/complex128 exist; NumPy's extended-precision complex does not in Ember
    "dtype_complex_long": (lambda: ember.ones(2, dtype=numpy.clongdouble), TypeError, ember.DTypeError,
                           [numpy.dtype(numpy.clongdouble).name]),
    "reshape": (lambda: ones(2, 3).reshape(4, 2), RuntimeError, ember.ShapeError,
                ["reshape", "(4, 2)", "6"]),
    "reshape_two_inferred": (lambda: ones(2, 3).reshape(-1, -1), RuntimeError, ember.ShapeError,
                             ["reshape", "(-1, -1)"]),
    "view": (lambda: ones(2, 3).view(7), RuntimeError, ember.ShapeError, ["(7,)", "6"]),
    "cat_sizes": (lambda: ember.cat([ones(2, 3), ones(2, 4)]), RuntimeError, ember.ShapeError,
                  ["cat", "(2, 3)", "(2, 4)"]),
    "cat_ranks": (lambda: ember.cat([ones(2, 3), ones(3)], dim=0), RuntimeError, ember.ShapeError,
                  ["cat", "(2, 3)", "(3,)"]),
    "stack": (lambda: ember.stack([ones(2, 3), ones(3, 2)]), RuntimeError, ember.ShapeError,
              ["stack", "(2, 3)", "(3, 2)"]),
}


# The same mistakes made in PyTorch: they pin down which builtin each case must subclass.
TORCH_CASES = {
    "broadcast_add": lambda: torch.ones(2, 3) + torch.ones(4),
    "matmul": lambda: torch.ones(2, 3) @ torch.ones(4, 5),
    "matmul_vectors": lambda: torch.matmul(torch.ones(3), torch.ones(4)),
    "backward_non_scalar": lambda: (torch.ones(2, 3, requires_grad=True) * 2).backward(),
    "index_out_of_range": lambda: torch.ones(3)[5],
    "index_too_many": lambda: torch.ones(3)[0, 0],
    "dim_out_of_range": lambda: torch.ones(2, 3).sum(dim=5),
    "dtype_float128": lambda: torch.zeros(2, dtype="float128"),
    "reshape": lambda: torch.ones(2, 3).reshape(4, 2),
    "cat_sizes": lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]),
    "stack": lambda: torch.stack([torch.ones(2, 3), torch.ones(3, 2)]),
}


def raise_from(code):
    """Run ``code``, return what it raised, and check that nothing of the backend leaks."""
    with pytest.raises(Exception) as caught:
        code()
    error = caught.value
    assert isinstance(error, ember.EmberError), (
        f"{type(error).__module__}.{type(error).__name__} leaked: {error}")
    printed = "".join(traceback.format_exception(error))
    assert "During handling of the above exception" not in printed, printed
    assert "The above exception was the direct cause" not in printed, printed
    return error


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_error_type_and_message(case):
    code, builtin, ember_class, fragments = case
    error = raise_from(code)
    assert isinstance(error, ember_class)
    assert isinstance(error, builtin), f"PyTorch raises {builtin.__name__} here"
    for fragment in fragments:
        assert fragment in str(error), f"{fragment!r} missing from: {error}"


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_pytorch_raises_the_same_builtin(name):
    with pytest.raises(CASES[name][1]):
        TORCH_CASES[name]()


def test_error_classes_subclass_the_builtins():
    assert issubclass(ember.ShapeError, RuntimeError)
    assert issubclass(ember.GradError, RuntimeError)
    assert issubclass(ember.DTypeError, TypeError)
    assert issubclass(ember.EmberIndexError, IndexError)
    assert issubclass(ember.EmberValueError, ValueError)
    for cls in (ember.ShapeError, ember.GradError, ember.DTypeError, ember.EmberIndexError,
                ember.EmberValueError):
        assert issubclass(cls, ember.EmberError)


@pytest.mark.parametrize("code", [
    lambda: ember.tensor([1, 2], requires_grad=True),
    lambda: ember.arange(3).requires_grad_(),
    lambda: setattr(ember.zeros(2, dtype=ember.int32), "requires_grad", True),
], ids=["tensor_argument", "requires_grad_", "setter"])
def test_requires_grad_on_an_integer_tensor(code):
    error = raise_from(code)
    assert "int" in str(error) and "float" in str(error)


def test_requires_grad_on_an_integer_tensor_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="requires_grad"):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).requires_grad_()


def test_inplace_broadcast_mismatch():
    error = raise_from(lambda: ones(3).add_(ones(2, 3)))
    assert isinstance(error, RuntimeError)
    assert "add_" in str(error) and "(2, 3)" in str(error) and "(3,)" in str(error)


def test_setitem_out_of_range():
    def assign():
        target = ones(3)
        target[3] = 1.0
    error = raise_from(assign)
    assert isinstance(error, IndexError)
