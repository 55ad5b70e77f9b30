"""Tensor creation: from data, constant fills, ranges.

Creation makes leaves, so nothing here is a primitive: there is no input to
differentiate with respect to. Defaults follow PyTorch: Python floats become
the default float dtype (float32), Python ints int64, bools bool.
"""
from __future__ import annotations

import numbers

import numpy

from .. import backend
from ..backend import as_dtype, get_default_dtype, result_type
from ..errors import DTypeError, EmberValueError
from ._sizes import size_tuple


def _infer_dtype(data):
    """PyTorch's dtype for nested data: every element's dtype, promoted together.

    A Python bool is bool, an int int64, a float the default float dtype; NumPy
    scalars, arrays and tensors nested in the data bring their own dtype. So
    ``[1, 2.0]`` is float32, ``[numpy.int32(1)]`` int32, ``[numpy.int8(1), 2]`` int64
    and ``[numpy.float64(1), 2.0]`` float64, as with ``torch.tensor``.
    """
    dtypes = []
    _collect_element_types(data, dtypes)
    if not dtypes:
        return get_default_dtype()
    return result_type(dtypes, [], [])


def _collect_element_types(data, dtypes):
    from ..tensor import Tensor
    if isinstance(data, (list, tuple)):
        for item in data:
            _collect_element_types(item, dtypes)
    elif isinstance(data, bool):
        dtypes.append(backend.bool_)
    elif isinstance(data, (numpy.generic, numpy.ndarray)):
        dtypes.append(backend.from_numpy_dtype(data.dtype))
    elif isinstance(data, numbers.Integral):
        dtypes.append(backend.int64)
    elif isinstance(data, numbers.Real):
        dtypes.append(get_default_dtype())
    elif isinstance(data, numbers.Complex):
        dtypes.append(backend.default_complex())
    elif isinstance(data, Tensor):
        dtypes.append(data.dtype)
    else:
        raise DTypeError(f"tensor(): could not infer a dtype for an element of type {type(data).__name__}")


def _flatten_tensors(data):
    from ..tensor import Tensor
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(item) for item in data]
    return data


def to_array(data, dtype=None, device=None):
    """A backend array from Python data, NumPy arrays or tensors, with PyTorch's default dtypes.

    ``device``: where the array goes (None: where ``data`` is, the default device for host data).
    """
    from ..tensor import Tensor
    if isinstance(data, Tensor) or type(data) in backend.namespaces.NAMESPACE_OF_TYPE:
        array = data._data if isinstance(data, Tensor) else data
        if device is None and type(data) is numpy.ndarray:
            device = _default_unless_cpu()  # tensor(host array) honours the default device, as PyTorch's
        if device is not None:
            array = backend.transfer(array, device)
        xp = backend.namespace_of(array)
    elif hasattr(data, "__array__") or hasattr(data, "__dlpack__") and not isinstance(data, (list, tuple)):
        xp = backend.namespace_for(device)
        array = xp.asarray(data)
        if array.dtype.kind == "f" and dtype is None and array.dtype not in (numpy.float16, numpy.float32, numpy.float64):
            array = array.astype(get_default_dtype().numpy)
    else:
        inferred = as_dtype(dtype) if dtype is not None else _infer_dtype(data)
        xp = backend.namespace_for(device)
        try:
            array = xp.asarray(_flatten_tensors(data), dtype=inferred.numpy)
        except (ValueError, TypeError) as error:
            raise EmberValueError(f"tensor(): could not build a tensor from the data: {error}") from None
        return array
    if dtype is not None:
        array = array.astype(as_dtype(dtype).numpy, copy=False)
    else:
        backend.from_numpy_dtype(array.dtype)  # rejects unsupported dtypes clearly
    return array


def _default_unless_cpu():
    """The default device of factories when it is not the host (None: the host, nothing to do)."""
    where = backend.namespaces.default_device()
    return None if where.type == "cpu" else where


def _shape_arg(shape):
    """Accept ``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for position, size in enumerate(shape):  # int() would truncate 2.7 to 2; PyTorch refuses it
        if isinstance(size, (float, numpy.floating)) or _is_float_tensor(size):
            raise DTypeError(f"argument 'size' must be tuple of ints, but found element of type "
                             f"{type(size).__name__} at pos {position} (size {shape})")
    shape = size_tuple(shape)
    if any(s < 0 for s in shape):
        raise EmberValueError(f"negative dimension in shape {shape}")
    return shape


def _is_float_tensor(size) -> bool:
    dtype = getattr(size, "dtype", None)
    return dtype is not None and numpy.dtype(getattr(dtype, "numpy", dtype)).kind in "fc"


def _leaf(array, requires_grad):
    from ..tensor import Tensor
    tensor = Tensor._make(array, None, False)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _float_or(dtype):
    return get_default_dtype().numpy if dtype is None else as_dtype(dtype).numpy


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False):
    """A new tensor holding a copy of ``data``.

    Example:
        >>> import ember
        >>> ember.tensor([[1, 2], [3, 4]]).dtype
        ember.int64
    """
    array = to_array(data, dtype, device)
    if array is getattr(data, "_data", None) or array is data:
        array = array.copy()
    return _leaf(array, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """A tensor sharing memory with ``data`` when possible (NumPy arrays, tensors)."""
    from ..tensor import Tensor
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) == data.dtype) and (
            device is None or backend.as_device(device) == data.device):
        return data
    return _leaf(to_array(data, dtype, device), False)


def from_numpy(array: numpy.ndarray):
    """A tensor sharing memory with a NumPy array (no copy)."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    backend.from_numpy_dtype(array.dtype)
    return _leaf(array, False)


def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of zeros: ``ember.zeros(2, 3)``."""
    shape = _size_keyword("zeros", shape, size)
    return _leaf(backend.namespace_for(device).zeros(_shape_arg(shape), _float_or(dtype)), requires_grad)


def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of ones."""
    shape = _size_keyword("ones", shape, size)
    return _leaf(backend.namespace_for(device).ones(_shape_arg(shape), _float_or(dtype)), requires_grad)


def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False):
    """An uninitialised tensor."""
    shape = _size_keyword("empty", shape, size)
    return _leaf(backend.namespace_for(device).empty(_shape_arg(shape), _float_or(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    """A tensor filled with ``fill_value`` (its dtype inferred from the value, as in PyTorch)."""
    dtype = _infer_dtype(fill_value) if dtype is None else as_dtype(dtype)
    xp = backend.namespace_for(device)
    return _leaf(xp.full(_shape_arg((size,)), fill_value, dtype.numpy), requires_grad)


def _like(name, fill):
    def like(input, *, dtype=None, device=None, requires_grad: bool = False):
        dtype = input.dtype if dtype is None else as_dtype(dtype)
        return _leaf(fill(_namespace_like(input, device), input.shape, dtype.numpy), requires_grad)
    like.__name__ = name
    like.__doc__ = f"Like ``{name.removesuffix('_like')}``, with the shape (and dtype) of ``input``."
    return like


def _namespace_like(input, device):
    """Where a ``*_like`` result goes: ``device``, else where ``input`` is."""
    if device is None:
        data = getattr(input, "_data", input)
        xp = backend.namespace_of(data)
        if xp not in backend.namespaces.MULTI_DEVICE_NAMESPACES:
            return xp
        device = backend.device_of(data)  # one of several GPUs: create on input's, not the current one
    return backend.namespace_for(device)


zeros_like = _like("zeros_like", lambda xp, shape, dtype: xp.zeros(shape, dtype))
ones_like = _like("ones_like", lambda xp, shape, dtype: xp.ones(shape, dtype))
empty_like = _like("empty_like", lambda xp, shape, dtype: xp.empty(shape, dtype))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    dtype = input.dtype if dtype is None else as_dtype(dtype)
    return _leaf(_namespace_like(input, device).full(input.shape, fill_value, dtype.numpy), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False):
    """Values from ``start`` up to (not including) ``end``; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise EmberValueError("arange: step must be nonzero")
    dtype = _infer_dtype([start, end, step]) if dtype is None else as_dtype(dtype)
    xp = backend.namespace_for(device)
    if dtype.is_floating_point:  # NumPy steps in the target dtype; PyTorch computes in double
        values = xp.arange(start, end, step, dtype=numpy.float64).astype(dtype.numpy)
    else:
        values = xp.arange(start, end, step, dtype=dtype.numpy)
    return _leaf(values, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _leaf(backend.namespace_for(device).linspace(start, end, steps, dtype=_float_or(dtype)),
                 requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False):
    """The identity matrix (``n`` × ``m``)."""
    return _leaf(backend.namespace_for(device).eye(n, m, dtype=_float_or(dtype)), requires_grad)


def _size_keyword(name: str, shape: tuple, size) -> tuple:
    """``zeros(size=(2, 3))``, PyTorch's keyword spelling of the shape."""
    if size is None:
        return shape
    if shape:
        raise TypeError(f"{name}() got the shape both positionally and as size=")
    return (tuple(size),)
