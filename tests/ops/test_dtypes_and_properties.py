"""PyTorch's type promotion, dtype conversion and the tensor's shape properties."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 2, 2.5]
LAYOUTS = {"shaped": (2,), "zero_dim": ()}


def _small_tensor(module, dtype, shape):
    """A small tensor of ``dtype`` whose values are safe for every op below (1s and 2s)."""
    values = np.ones(shape) + (np.arange(np.prod(shape, dtype=int)).reshape(shape) % 2)
    if module is torch:
        return torch.tensor(values).to(getattr(torch, dtype))
    return ember.tensor(values).to(dtype)


OPS = {
    "add": lambda module, a, b: a + b,
    "sub": lambda module, a, b: a - b,
    "mul": lambda module, a, b: a * b,
    "div": lambda module, a, b: a / b,
    "floor_divide": lambda module, a, b: a // b,
    "maximum": lambda module, a, b: module.maximum(a, b),
    "eq": lambda module, a, b: a == b,
    "where": lambda module, a, b: module.where(module.tensor(True), a, b),
}


def _result_dtype(module, op, a, b):
    """The result dtype's name, or None where the framework raises (e.g. bool - bool)."""
    try:
        result = OPS[op](module, a, b)
    except (RuntimeError, TypeError):
        return None
    return str(result.dtype).removeprefix("torch.").removeprefix("ember.")


def _combinations():
    """(description, left builder, right builder) for tensor/tensor and tensor/scalar operands."""
    for (left, right), (left_layout, right_layout) in itertools.product(
            itertools.product(DTYPES, DTYPES), itertools.product(LAYOUTS, LAYOUTS)):
        yield (f"{left}[{left_layout}] op {right}[{right_layout}]",
               lambda m, d=left, s=LAYOUTS[left_layout]: _small_tensor(m, d, s),
               lambda m, d=right, s=LAYOUTS[right_layout]: _small_tensor(m, d, s))
    for dtype, scalar, layout in itertools.product(DTYPES, SCALARS, LAYOUTS):
        tensor = lambda m, d=dtype, s=LAYOUTS[layout]: _small_tensor(m, d, s)  # noqa: E731
        yield f"{dtype}[{layout}] op {scalar!r}", tensor, lambda m, v=scalar: v
        yield f"{scalar!r} op {dtype}[{layout}]", lambda m, v=scalar: v, tensor


@pytest.mark.parametrize("op", sorted(OPS))
def test_result_dtypes_follow_torch_promotion(op):
    mismatches = []
    for description, left, right in _combinations():
        expected = _result_dtype(torch, op, left(torch), right(torch))
        if expected is None:
            continue  # PyTorch refuses this combination
        actual = _result_dtype(ember, op, left(ember), right(ember))
        if actual != expected:
            mismatches.append(f"{description}: ember {actual}, torch {expected}")
    assert not mismatches, f"{len(mismatches)} promotion mismatch(es):\n" + "\n".join(mismatches[:40])


def test_promotion_values_match_for_mixed_dtypes():
    a, b = ember.tensor([1, 2], dtype=ember.uint8), ember.tensor([3, -4], dtype=ember.int8)
    assert (a + b).dtype == ember.int16 and (a + b).tolist() == [4, -2]
    assert (ember.tensor([1, 2]) / 2).tolist() == [0.5, 1.0]
    assert (ember.tensor([1.5], dtype=ember.float16) * ember.tensor(2.0, dtype=ember.float64)).dtype == ember.float16


@pytest.fixture
def default_float64():
    ember.set_default_dtype(ember.float64)
    yield
    ember.set_default_dtype(ember.float32)


def test_default_dtype_governs_python_floats(default_float64):
    assert ember.tensor([1.5]).dtype == ember.float64
    assert ember.zeros(2).dtype == ember.float64
    assert (ember.tensor([1, 2]) * 1.5).dtype == ember.float64
    assert (ember.tensor([1, 2]) / 2).dtype == ember.float64
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


# --- conversions -------------------------------------------------------------------
CONVERSIONS = {
    "to_float64": (lambda t: t.to(ember.float64), lambda t: t.to(torch.float64)),
    "to_int32_name": (lambda t: t.to("int32"), lambda t: t.to(torch.int32)),
    "to_like": (lambda t: t.to(ember.zeros(1, dtype=ember.float16)), lambda t: t.to(torch.zeros(1, dtype=torch.float16))),
    "float": (lambda t: t.float(), lambda t: t.float()),
    "double": (lambda t: t.double(), lambda t: t.double()),
    "half": (lambda t: t.half(), lambda t: t.half()),
    "long": (lambda t: t.long(), lambda t: t.long()),
    "int": (lambda t: t.int(), lambda t: t.int()),
    "bool": (lambda t: t.bool(), lambda t: t.bool()),
    "type": (lambda t: t.type(ember.int16), lambda t: t.type(torch.int16)),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
@pytest.mark.parametrize("source", ["float32", "float64", "int64", "bool"])
def test_conversions_match_torch(name, source):
    mine, reference = CONVERSIONS[name]
    values = [[-2.7, 0.0, 1.5], [3.2, -0.4, 255.9]]
    result = mine(ember.tensor(values).to(source))
    expected = reference(torch.tensor(values).to(getattr(torch, source)))
    assert result.dtype.name == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_to_same_dtype_returns_the_tensor_and_cast_is_differentiable():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(ember.float32) is x
    x.double().sum().backward()
    assert x.grad.dtype == ember.float32 and x.grad.tolist() == [1.0, 1.0]


# --- shape properties -----------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4)], ids=repr)
def test_shape_properties_match_torch(shape):
    mine, reference = ember.zeros(*shape), torch.zeros(*shape) if shape else torch.zeros(())
    assert mine.shape == tuple(reference.shape)
    assert mine.ndim == reference.ndim and mine.dim() == reference.dim()
    assert mine.size() == tuple(reference.size()) and mine.numel() == reference.numel()
    assert ember.numel(mine) == reference.numel()
    for dim in range(-len(shape), len(shape)):
        assert mine.size(dim) == reference.size(dim)
    if len(shape) >= 2:
        assert mine.mT.shape == tuple(reference.mT.shape)
    assert mine.T.shape == tuple(reversed(shape))
    if shape:
        assert len(mine) == len(reference)


def test_transpose_properties_move_values():
    values = np.arange(24.0).reshape(2, 3, 4)
    x = ember.tensor(values)
    np.testing.assert_array_equal(x.mT.numpy(), np.swapaxes(values, -1, -2))
    np.testing.assert_array_equal(x.T.numpy(), values.transpose(2, 1, 0))


def test_size_rejects_out_of_range_dims():
    with pytest.raises(IndexError):
        ember.zeros(2, 3).size(2)


OUT_OF_RANGE_SCALARS = {
    "uint8_plus_negative": lambda m: m.tensor([1, 2], dtype=m.uint8) + (-1),
    "uint8_times_300": lambda m: m.tensor([1, 2], dtype=m.uint8) * 300,
    "int8_minus_200": lambda m: m.tensor([1, 2], dtype=m.int8) - 200,
    "int16_times_big": lambda m: m.tensor([3], dtype=m.int16) * -70000,
    "int32_times_2_40": lambda m: m.tensor([100], dtype=m.int32) * 2 ** 40,
    "uint8_equals_300": lambda m: m.tensor([44, 2], dtype=m.uint8) == 300,
}


@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE_SCALARS))
def test_python_ints_outside_an_integer_dtype_wrap_like_torch(name):
    """NumPy 2 refuses such scalars; PyTorch wraps them into the tensor's dtype."""
    expression = OUT_OF_RANGE_SCALARS[name]
    mine, expected = expression(ember), expression(torch)
    assert mine.dtype.name == str(expected.dtype).removeprefix("torch.")
    assert mine.tolist() == expected.tolist()
