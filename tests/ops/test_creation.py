"""Tensor creation and conversion against PyTorch: dtypes inferred, values, memory sharing."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def assert_same_tensor(mine, reference):
    """Same dtype name, shape and values for an Ember tensor and a PyTorch one."""
    assert mine.dtype.name == str(reference.dtype).removeprefix("torch."), (mine.dtype, reference.dtype)
    assert tuple(mine.shape) == tuple(reference.shape)
    np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6, atol=0)


PYTHON_DATA = [
    [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]], 3.5, 7, True, [], [[]],
    [1, True], [[1.5], [2]], (1, 2.5), [np.float64(1.0), 2.0], [np.int32(1), 2], [np.int32(1)],
    [np.float16(1), 3], [np.float16(1), 3.0], [np.int16(1), np.int64(2)], [np.int8(1), True],
]


@pytest.mark.parametrize("data", PYTHON_DATA, ids=repr)
def test_tensor_infers_dtypes_like_torch(data):
    assert_same_tensor(ember.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool"])
def test_tensor_from_numpy_array_keeps_its_dtype(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    assert_same_tensor(ember.tensor(array), torch.tensor(array))


@pytest.mark.parametrize("dtype", [ember.float64, ember.int32, ember.bool, "float16", np.int8])
def test_tensor_with_explicit_dtype(dtype):
    mine = ember.tensor([0, 1.5, 2], dtype=dtype)
    name = ember.as_dtype(dtype).name
    assert_same_tensor(mine, torch.tensor([0, 1.5, 2], dtype=getattr(torch, name)))


def test_tensor_copies_and_as_tensor_and_from_numpy_share_memory():
    array = np.array([1.0, 2.0])
    copied, shared, wrapped = ember.tensor(array), ember.as_tensor(array), ember.from_numpy(array)
    array[0] = 9.0
    assert copied.tolist() == [1.0, 2.0]
    assert shared.tolist() == [9.0, 2.0]
    assert wrapped.tolist() == [9.0, 2.0]
    wrapped.numpy()[1] = -1.0
    assert array[1] == -1.0


def test_from_numpy_keeps_non_contiguous_views():
    base = np.arange(12.0).reshape(3, 4)
    view = base.T[::-1]
    tensor = ember.from_numpy(view)
    assert tensor.shape == view.shape
    np.testing.assert_array_equal(tensor.numpy(), view)
    np.testing.assert_array_equal((tensor * 2).numpy(), view * 2)


def test_as_tensor_passes_tensors_through_and_converts_dtype():
    x = ember.tensor([1, 2])
    assert ember.as_tensor(x) is x
    assert_same_tensor(ember.as_tensor(x, dtype=ember.float64), torch.as_tensor(torch.tensor([1, 2]),
                                                                                 dtype=torch.float64))


@pytest.mark.parametrize("shape", [(2, 3), ((2, 3),), ([4],), ((),), (0, 2)], ids=repr)
@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_constant_fills_accept_both_shape_forms(name, shape):
    assert_same_tensor(getattr(ember, name)(*shape), getattr(torch, name)(*shape))
    assert_same_tensor(getattr(ember, name)(*shape, dtype=ember.int32),
                       getattr(torch, name)(*shape, dtype=torch.int32))


def test_empty_has_shape_and_dtype():
    assert ember.empty(2, 3).shape == (2, 3)
    assert ember.empty((4,), dtype=ember.int64).dtype == ember.int64
    assert ember.empty(3).dtype == ember.float32


@pytest.mark.parametrize("value", [2, 2.5, True, -1])
def test_full_infers_dtype_from_the_fill_value(value):
    assert_same_tensor(ember.full((2, 2), value), torch.full((2, 2), value))
    assert_same_tensor(ember.full((3,), value, dtype=ember.float64), torch.full((3,), value, dtype=torch.float64))


ARANGE_ARGS = [(5,), (1, 7, 2), (0, 1, 0.1), (5.0,), (10, 0, -3), (1000, 1001, 0.1), (-5, 5, 0.3),
               (0, 100, 0.1), (2, 2), (0.5, 3)]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=repr)
def test_arange_matches_torch(args):
    assert_same_tensor(ember.arange(*args), torch.arange(*args))
    assert_same_tensor(ember.arange(*args, dtype=ember.float64), torch.arange(*args, dtype=torch.float64))


def test_arange_rejects_zero_step():
    with pytest.raises(ValueError):
        ember.arange(0, 3, 0)


@pytest.mark.parametrize("args", [(0, 1, 5), (-3, 7, 11), (2, 2, 1), (0, 1, 0), (1, -1, 4)], ids=repr)
def test_linspace_matches_torch(args):
    assert_same_tensor(ember.linspace(*args), torch.linspace(*args))
    assert_same_tensor(ember.linspace(*args, dtype=ember.float64), torch.linspace(*args, dtype=torch.float64))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,)], ids=repr)
def test_eye_matches_torch(args):
    assert_same_tensor(ember.eye(*args), torch.eye(*args))
    assert_same_tensor(ember.eye(*args, dtype=ember.int64), torch.eye(*args, dtype=torch.int64))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_functions_keep_shape_and_dtype(name):
    source = ember.tensor([[1.0, 2.0, 3.0]], dtype=ember.float64)
    result = getattr(ember, name)(source)
    assert result.shape == (1, 3) and result.dtype == ember.float64
    assert getattr(ember, name)(source, dtype=ember.float32).dtype == ember.float32
    if name in ("zeros_like", "ones_like"):
        assert_same_tensor(result, getattr(torch, name)(torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)))


def test_full_like_keeps_integer_dtype():
    source = ember.tensor([1, 2])
    assert_same_tensor(ember.full_like(source, 2.7), torch.full_like(torch.tensor([1, 2]), 2.7))


def test_creation_requires_grad():
    for tensor in (ember.zeros(2, requires_grad=True), ember.tensor([1.0], requires_grad=True),
                   ember.randn(2, requires_grad=True), ember.arange(3.0, requires_grad=True)):
        assert tensor.requires_grad and tensor.is_leaf
    with pytest.raises(RuntimeError):  # integer tensors cannot require grad (PyTorch: RuntimeError)
        ember.tensor([1, 2], requires_grad=True)


# --- conversions out of a tensor -------------------------------------------------
def test_numpy_shares_memory_and_refuses_tensors_that_require_grad():
    tensor = ember.tensor([1.0, 2.0])
    tensor.numpy()[0] = 5.0
    assert tensor.tolist() == [5.0, 2.0]
    with pytest.raises(RuntimeError):
        ember.tensor([1.0], requires_grad=True).numpy()
    assert ember.tensor([1.0], requires_grad=True).detach().numpy().tolist() == [1.0]


@pytest.mark.parametrize("data", [[[1.5, 2]], 3, [True, False], [[1, 2], [3, 4]], []], ids=repr)
def test_tolist_and_item_match_torch(data):
    mine, reference = ember.tensor(data), torch.tensor(data)
    assert mine.tolist() == reference.tolist()
    assert type(mine.tolist()) is type(reference.tolist())
    if reference.numel() == 1:
        assert mine.item() == reference.item() and type(mine.item()) is type(reference.item())


def test_item_refuses_several_elements():
    with pytest.raises(ValueError):
        ember.tensor([1.0, 2.0]).item()


def test_numpy_asarray_reads_the_tensor():
    tensor = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    array = np.asarray(tensor)
    assert array.dtype == np.int32 and array.tolist() == [[1, 2], [3, 4]]
    assert np.asarray(tensor, dtype=np.float64).dtype == np.float64


def test_numpy_array_copies_the_tensor():
    """``np.array`` (copy=True) must not alias the tensor's memory, as with PyTorch."""
    tensor = ember.tensor([1.0, 2.0])
    array = np.array(tensor)
    array[0] = 7.0
    assert tensor.tolist() == [1.0, 2.0]
