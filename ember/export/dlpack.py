"""``ember.from_dlpack``: share memory with NumPy, PyTorch, JAX or CuPy arrays, without a copy.

DLPack is the protocol array libraries use to hand each other a pointer,
shape, strides and device. Ember's tensors hold backend arrays, so a
DLPack capsule becomes a backend array (NumPy on the CPU, CuPy on a GPU)
that Ember wraps as is: writes through either side are seen by the other.
``Tensor.__dlpack__`` goes the other way (``torch.from_dlpack(tensor)``).

Example:
    >>> import numpy, ember
    >>> array = numpy.zeros(3, dtype=numpy.float32)
    >>> tensor = ember.from_dlpack(array)
    >>> array[0] = 5.0
    >>> tensor
    tensor([5., 0., 0.])
"""
from __future__ import annotations

import numpy

from ..tensor import Tensor

_CPU, _CUDA = 1, 2  # DLPack device types (kDLCPU, kDLCUDA)


def from_dlpack(array) -> Tensor:
    """A tensor sharing memory with ``array``, any object with ``__dlpack__`` (zero-copy)."""
    if isinstance(array, Tensor):
        return Tensor._make(array._data, None, False)
    if not hasattr(array, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(array).__name__} does not support DLPack (no "
                        "__dlpack__); use ember.tensor(...) to copy it instead")
    device_type = array.__dlpack_device__()[0] if hasattr(array, "__dlpack_device__") else _CPU
    return Tensor._make(_namespace(device_type).from_dlpack(array), None, False)


def _namespace(device_type):
    if device_type == _CPU:
        return numpy
    if device_type == _CUDA:
        import cupy  # the GPU backend's array library
        return cupy
    raise TypeError(f"from_dlpack: arrays on DLPack device type {device_type} are not supported "
                    "(only CPU, and CUDA with CuPy)")
