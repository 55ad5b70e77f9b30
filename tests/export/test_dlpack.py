"""Zero-copy exchange through DLPack: a write through one side is read through the other."""
import numpy
import pytest

import ember

torch = pytest.importorskip("torch")


def test_from_numpy_shares_memory():
    array = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    tensor = ember.from_dlpack(array)
    array[1, 2] = 50.0
    assert tensor[1, 2].item() == 50.0
    tensor.add_(1.0)  # an in-place Ember op writes into NumPy's memory
    assert array[0, 0] == 1.0 and tensor.shape == (2, 3) and tensor.dtype == ember.float32


def test_from_torch_shares_memory():
    source = torch.arange(4, dtype=torch.float64)
    tensor = ember.from_dlpack(source)
    source[2] = -7.0
    assert tensor.tolist() == [0.0, 1.0, -7.0, 3.0]
    tensor.mul_(2.0)
    assert source.tolist() == [0.0, 2.0, -14.0, 6.0]


def test_non_contiguous_torch_view():
    source = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()
    tensor = ember.from_dlpack(source)
    source[0, 1] = 100.0
    assert tensor.shape == (4, 3) and tensor[0, 1].item() == 100.0


def test_torch_and_numpy_read_ember_memory():
    tensor = ember.zeros(3)
    through_torch = torch.from_dlpack(tensor)
    through_numpy = numpy.from_dlpack(tensor)
    through_torch[0] = 1.0
    through_numpy[1] = 2.0
    assert tensor.tolist() == [1.0, 2.0, 0.0]
    tensor[2] = 3.0
    assert through_torch.tolist() == [1.0, 2.0, 3.0]
    assert tensor.__dlpack_device__() == (1, 0)  # kDLCPU, device 0


def test_array_protocol():
    tensor = ember.tensor([1.0, 2.0])
    assert numpy.asarray(tensor).tolist() == [1.0, 2.0]


def test_without_dlpack_is_a_clear_error():
    with pytest.raises(TypeError, match="does not support DLPack"):
        ember.from_dlpack([1.0, 2.0])


def test_from_jax_shares_memory_and_keeps_it_read_only():
    """JAX arrays are immutable: Ember wraps their buffer without a copy, and refuses to write it."""
    jnp = pytest.importorskip("jax.numpy", reason="JAX is in the test extra; install jax to run this")
    source = jnp.arange(6.0, dtype=jnp.float32).reshape(2, 3)
    tensor = ember.from_dlpack(source)
    assert tensor._data.ctypes.data == source.unsafe_buffer_pointer()
    assert tensor.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    with pytest.raises(RuntimeError, match="read-only"):
        tensor.add_(1.0)


def test_jax_reads_ember_memory():
    jax_numpy = pytest.importorskip("jax.numpy", reason="JAX is in the test extra; install jax to run this")
    tensor = ember.from_numpy(_aligned_arange(4))
    shared = jax_numpy.from_dlpack(tensor)
    assert shared.unsafe_buffer_pointer() == tensor._data.ctypes.data
    tensor[0] = 42.0
    assert float(shared[0]) == 42.0


def _aligned_arange(count: int, alignment: int = 64) -> numpy.ndarray:
    """float32 0..count-1 at an address JAX accepts without copying (it copies unaligned buffers)."""
    raw = numpy.zeros(count * 4 + alignment, dtype=numpy.uint8)
    start = -raw.ctypes.data % alignment
    array = raw[start:start + count * 4].view(numpy.float32)
    array[:] = numpy.arange(count)
    return array
