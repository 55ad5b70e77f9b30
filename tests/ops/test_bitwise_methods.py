"""The integer ops' Tensor methods, in-place forms, operators and errors, against PyTorch
(the values themselves are checked by the reference table, ops_table_bitwise.py)."""
import numpy as np
import pytest
import torch

import ember
from ember.errors import DTypeError

A = np.array([[12, 10, -1], [7, 0, -300]], "int32")
B = np.array([[10, 6, 3], [5, 9, 4]], "int32")


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                  "bitwise_right_shift", "gcd", "lcm"])
def test_in_place_methods_match_torch(name):
    mine, theirs = ember.tensor(A), torch.tensor(A)
    alias = mine
    getattr(mine, name + "_")(ember.tensor(B))
    getattr(theirs, name + "_")(torch.tensor(B))
    assert alias is mine
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    np.testing.assert_array_equal(getattr(ember.tensor(A), name)(ember.tensor(B)).numpy(),
                                  getattr(torch.tensor(A), name)(torch.tensor(B)).numpy())


@pytest.mark.parametrize("operator", ["&=", "|=", "^=", "<<=", ">>="])
def test_augmented_assignments_write_in_place_as_torch(operator):
    mine, theirs = ember.tensor(A), torch.tensor(A)
    alias, reference_alias = mine, theirs
    mine_shift, theirs_shift = ember.tensor(B % 5), torch.tensor(B % 5)
    exec(f"mine {operator} mine_shift; theirs {operator} theirs_shift")
    np.testing.assert_array_equal(alias.numpy(), reference_alias.numpy())


@pytest.mark.parametrize("expression", ["5 & x", "5 | x", "3 ^ x", "1 << x", "-64 >> x", "~x", "x & True"])
def test_reflected_and_scalar_operators_match_torch(expression):
    mine = eval(expression, {"x": ember.tensor(B % 5)})
    theirs = eval(expression, {"x": torch.tensor(B % 5)})
    assert mine.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_bool_tensors_stay_logical():
    a, b = ember.tensor([True, True, False]), ember.tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False] and (a | b).tolist() == [True, True, False]
    assert (a ^ b).tolist() == [False, True, False] and (~a).tolist() == [False, False, True]
    assert (a & b).dtype == ember.bool


@pytest.mark.parametrize("call, message", [
    (lambda: ember.tensor([1.0]) & ember.tensor([2.0]), "bitwise_and: expected an integer or bool tensor, got dtype "
                                                       "float32"),
    (lambda: ~ember.tensor([1.5]), "bitwise_not: expected an integer or bool tensor, got dtype float32"),
    (lambda: ember.tensor([True]) << 1, "bitwise_left_shift: expected an integer tensor, got dtype bool"),
    (lambda: ember.gcd(ember.tensor([4]), 2.5), "gcd: expected an integer tensor, got dtype float"),
    (lambda: ember.nextafter(ember.tensor([1]), ember.tensor([2])),
     "nextafter: expected a floating-point tensor, got dtype int64")])
def test_wrong_dtypes_name_the_op_and_dtype(call, message):
    with pytest.raises(DTypeError, match=message):
        call()


def test_integer_ops_trace_and_refuse_floats_when_traced():
    @ember.function
    def mixed(x, y):
        return (x & y) + (x << 1) + ember.gcd(x, y) - (x ^ ~y), (x > 0) & (y > 0)
    values, mask = mixed(ember.tensor(A), ember.tensor(B))
    a, b = torch.tensor(A), torch.tensor(B)
    np.testing.assert_array_equal(values.numpy(), ((a & b) + (a << 1) + torch.gcd(a, b) - (a ^ ~b)).numpy())
    np.testing.assert_array_equal(mask.numpy(), ((a > 0) & (b > 0)).numpy())
    with pytest.raises(DTypeError, match="bitwise_or: expected an integer or bool tensor, got dtype float32"):
        ember.function(lambda x: x | x)(ember.tensor([1.0]))


def test_histogram_matches_torch():
    values = np.random.default_rng(0).normal(size=50).astype("float32")
    weights = np.random.default_rng(1).uniform(size=50).astype("float32")
    for args, kwargs in [((7,), {}), ((4,), {"range": (-1.0, 2.0)}), ((5,), {"weight": weights, "density": True}),
                         ((np.array([-2.0, 0.0, 0.5, 3.0], "float32"),), {})]:
        mine = ember.histogram(ember.tensor(values), *[ember.tensor(a) if isinstance(a, np.ndarray) else a for a in args],
                               **{k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
        theirs = torch.histogram(torch.tensor(values), *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args],
                                 **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
        for got, want in zip(mine, theirs):
            assert got.dtype == ember.float32
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(DTypeError, match="histogram: expected a floating-point tensor"):
        ember.histogram(ember.tensor([1, 2]))


def test_histogram_refuses_tracing_clearly():
    with pytest.raises(ember.errors.EmberRuntimeError, match="histogram: the counts depend on the data"):
        ember.function(lambda x: ember.histogram(x, 3))(ember.tensor([1.0, 2.0]))


@pytest.mark.parametrize("source, target", [("float32", "int32"), ("int32", "int16"), ("int16", "float64"),
                                            ("float64", "uint8")])
def test_tensor_view_dtype_matches_torch(source, target):
    values = np.arange(1, 9, dtype=source).reshape(2, 4)
    mine = ember.tensor(values).view(getattr(ember, target))
    theirs = torch.tensor(values).view(getattr(torch, target))
    assert mine.dtype == getattr(ember, target)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
