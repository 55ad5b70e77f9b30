"""Indexing: PyTorch indices normalised for NumPy, ``getitem`` and ``setitem``, and the
index primitives' wrappers used by gradients."""
from __future__ import annotations

import builtins
import math
import numbers

import numpy

from .. import backend
from ..autograd.grad_mode import state as _grad_state
from ..errors import EmberIndexError
from ..tensor import Tensor
from ..primitives import shape as S
from ._operands import _operand, _tensor, cast
from ..primitives.core import bind, dispatch, explain_failure


def _normalize_index(index, shape, xp=None):
    """PyTorch index → NumPy index tuple; boolean masks become integer arrays.

    ``xp``: the namespace of the indexed tensor (lists become its arrays).
    """
    if not isinstance(index, tuple):
        index = (index,)
    xp = xp or backend.namespace_for(None)
    items = []
    for item in index:
        if isinstance(item, Tensor):
            item = item._data
        elif isinstance(item, (list, range, numpy.ndarray)):  # a range indexes like its list
            item = xp.asarray(item)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            item = item if isinstance(item, int) else int(item)  # a symbolic size stays symbolic
        elif isinstance(item, bool):
            item = xp.asarray(item)
        elif not (item is None or item is Ellipsis or isinstance(item, slice)):
            raise EmberIndexError(f"getitem: unsupported index of type {type(item).__name__}")
        if hasattr(item, "dtype"):
            if item.dtype == numpy.bool_:
                items.extend(item.nonzero() if item.ndim else [item])
                continue
            if item.dtype.kind not in "iu":
                raise EmberIndexError(f"getitem: tensors used as indices must be integer or bool, got {item.dtype}")
            if item.ndim == 0 and dispatch.tracer is None:
                item = int(item)  # a 0-d integer tensor selects like an int, as in PyTorch
        items.append(item)
    items = tuple(items)
    if builtins.any(type(i) is int for i in items) and builtins.any(_is_array(i) for i in items):
        return _as_coordinates(items, shape, xp)
    if not builtins.any(i is Ellipsis for i in items):
        # a trailing ... makes NumPy return a 0-d view rather than a scalar copy for x[i]
        items += (Ellipsis,)
    return items


def _is_array(item) -> bool:
    return hasattr(item, "ndim") and item.ndim > 0


def _as_coordinates(items, shape, xp=None):
    """The index as one integer coordinate array per axis, with PyTorch's result layout.

    NumPy counts a plain int next to an integer array as an advanced index, which
    can move the indexed axes to the front; PyTorch applies ints first, as basic
    selections. Indexing a grid of flat positions the PyTorch way, then turning
    those positions back into coordinates, gives an index that means the same in
    NumPy, for reading (getitem), adding (index_add) and writing (index_put).
    """
    basic = tuple(slice(None) if _is_array(i) else i for i in items)
    advanced = tuple(i if _is_array(i) or i is Ellipsis else slice(None)
                     for i in items if type(i) is not int)
    xp = xp or backend.namespace_for(None)
    grid = xp.arange(math.prod(shape)).reshape(shape)
    try:
        positions = grid[basic][advanced]
    except IndexError as error:
        raise EmberIndexError(f"getitem: {error} (tensor shape {tuple(shape)})") from None
    return xp.unravel_index(positions, shape)


def getitem(input, index) -> Tensor:
    """``input[index]``: ints, slices, None, ..., integer and boolean tensors, mixed.

    Placement of the indexed axes follows PyTorch when ints and integer arrays mix
    (``x[0, :, [1, 2]]`` has shape ``(x.shape[1], 2)``). Unlike PyTorch, negative
    slice steps (``x[::-1]``) are accepted, with NumPy's meaning.

    Example:
        >>> import ember
        >>> x = ember.arange(24).reshape(2, 3, 4)
        >>> x[0, :, [1, 2]].shape
        (3, 2)
        >>> x[1, ::-1, 0].tolist()
        [20, 16, 12]
    """
    x = _tensor(input)
    return getitem_index(x, _normalize_index(index, x.shape, backend.namespace_of(x._data)))


def getitem_index(x, index) -> Tensor:
    """``x[index]`` for an already normalised index tuple."""
    return bind(S.Getitem, (x,), (index,))


def index_add_zeros(values, shape, index) -> Tensor:
    return bind(S.IndexAdd, (_tensor(values),), (tuple(shape), index))


def index_put_value(x, index, value) -> Tensor:
    """A copy of ``x`` with ``value`` written at a normalised ``index``."""
    return bind(S.IndexPut, (x, value), (index,))


def setitem(tensor, index, value) -> None:
    """``tensor[index] = value``, recorded in the graph when gradients are involved."""
    index = _normalize_index(index, tensor.shape, backend.namespace_of(tensor._data))
    value = _operand(value)
    if isinstance(value, Tensor):
        value = cast(value, tensor.dtype)
    elif type(value) is complex and tensor._data.dtype.kind != "c":
        from ..errors import EmberRuntimeError
        raise EmberRuntimeError(f"setitem: the complex value {value} cannot be converted to the tensor's "
                                f"dtype {tensor.dtype} (PyTorch: value cannot be converted without overflow)")
    records = _grad_state.enabled and (tensor._requires_grad or getattr(value, "_requires_grad", False))
    if records or dispatch.tracer is not None:
        # IndexPut's VJP reads no input values, so the tensor itself (not a copy) is its input
        tensor._write(bind(S.IndexPut, (tensor, value), (index,)), "setitem")
        return
    try:  # nothing to record: write straight into the memory
        tensor._data[index] = value._data if isinstance(value, Tensor) else value
    except Exception as error:
        raise explain_failure(S.IndexPut, (tensor, value), (index,), error) from None
    tensor._shared_version().value += 1

