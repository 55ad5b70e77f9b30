"""Turning a list of samples into a batch, with PyTorch's ``default_collate`` rules."""
from __future__ import annotations

import collections.abc
import numbers
from typing import Any

import numpy

from .. import backend
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, recursing into tuples, lists and dicts.

    Tensors and NumPy arrays are stacked along a new first dimension; Python
    floats become a float64 tensor, ints an int64 tensor, bools a bool tensor;
    strings stay as the samples held them (a list at the top and in dicts, a tuple
    inside tuples and lists, which are transposed); tuples come back as lists, as in
    PyTorch.

    Example:
        >>> import ember
        >>> from ember.data import default_collate
        >>> images, labels = default_collate([(ember.zeros(2), 1), (ember.ones(2), 0)])
        >>> images.shape, labels
        ((2, 2), tensor([1, 0]))
        >>> default_collate([{"x": 0.5, "name": "a"}, {"x": 1.5, "name": "b"}])
        {'x': tensor([0.5000, 1.5000], dtype=ember.float64), 'name': ['a', 'b']}
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack_tensors(batch)
    if isinstance(first, numpy.ndarray) and first.dtype.kind not in "SUO":
        return Tensor._make(backend.namespace_for(None).asarray(numpy.stack(batch)), None, False)
    if isinstance(first, numpy.generic) and first.dtype.kind not in "SUO":
        return Tensor._make(backend.namespace_for(None).asarray(numpy.array(batch)), None, False)
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, numbers.Number):
        return _numbers(batch)
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple: keep the type
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each field stays the tuple zip makes: strings in it come back as that tuple
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                    f"lists; found {type(first).__name__}")


def default_convert(data: Any) -> Any:
    """Without batching: NumPy arrays become tensors, recursively; everything else is unchanged."""
    if isinstance(data, numpy.ndarray) and data.dtype.kind not in "SUO":
        return Tensor._make(backend.namespace_for(None).asarray(data), None, False)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(value) for value in data)
    return data


def _stack_tensors(batch: list) -> Tensor:
    if _grad_state.enabled and any(t.requires_grad for t in batch):
        from ..ops.functions import stack
        return stack(batch)  # keep the graph for samples that carry one
    arrays = [t._data for t in batch]
    return Tensor._make(backend.namespace_of(arrays[0]).stack(arrays), None, False)


def _numbers(batch: list) -> Tensor:
    first = batch[0]
    if isinstance(first, bool):
        dtype = backend.bool_
    elif isinstance(first, numbers.Integral):
        dtype = backend.int64
    else:
        dtype = backend.float64  # PyTorch collates Python floats as float64
    return Tensor._make(backend.namespace_for(None).asarray(batch, dtype=dtype.numpy), None, False)
