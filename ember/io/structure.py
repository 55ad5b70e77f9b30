"""Nested Python containers <-> (JSON structure, named arrays), without pickle.

Tensors and NumPy arrays become named safetensors entries; everything else
must be JSON-expressible: ``None``, bools, ints, floats (``inf``/``nan``
included), strings, lists, tuples and dicts with keys of those kinds.
Markers for what JSON lacks are single-key objects whose key starts with
``__``; a dict with such keys is stored in the explicit ``__dict__`` form,
so user data can never be mistaken for a marker.
"""
from __future__ import annotations

import math
from typing import Any

import numpy

from .. import backend

from ..tensor import Tensor

_ALLOWED = ("tensors, NumPy arrays, None, bools, ints, floats, strings, and lists, tuples "
            "and dicts of them")


class _Flattener:
    """Walks an object, naming each tensor by its key path (``state.0.exp_avg``)."""

    def __init__(self):
        self.arrays: dict[str, Any] = {}
        self.names: dict[int, str] = {}  # a tensor stored twice is stored once
        self.devices: dict[str, str] = {}  # where tensors off the host were saved from ('cuda:1')

    def encode(self, value, path: str):
        if isinstance(value, (Tensor, numpy.ndarray)):
            return self._array(value, path)
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, numpy.generic):
            return self.encode(value.item(), path)
        if isinstance(value, list):
            return [self.encode(item, _join(path, n)) for n, item in enumerate(value)]
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(item, _join(path, n)) for n, item in enumerate(value)]}
        if isinstance(value, dict):
            return self._dict(value, path)
        raise TypeError(f"ember.save: can't store {type(value).__name__} at {path or 'the top level'!r}; "
                        f"without pickle, only {_ALLOWED} can be saved")

    def _array(self, value, path: str):
        kind = "__tensor__" if isinstance(value, Tensor) else "__ndarray__"
        name = self.names.get(id(value))
        if name is None:
            name = _unique(path or "tensor", self.arrays)
            self.names[id(value)] = name
            # host bytes: a tensor on another device is copied to the host to be written
            self.arrays[name] = backend.to_numpy(value._data) if isinstance(value, Tensor) else numpy.asarray(value)
            if isinstance(value, Tensor) and type(value._data) is not numpy.ndarray:
                self.devices[name] = str(value.device)
        return {kind: name}

    def _dict(self, value: dict, path: str):
        if all(isinstance(key, str) and not key.startswith("__") for key in value):
            return {key: self.encode(item, _join(path, key)) for key, item in value.items()}
        return {"__dict__": [[self.encode(key, path), self.encode(item, _join(path, key))]
                             for key, item in value.items()]}


def flatten(obj) -> tuple[Any, dict[str, numpy.ndarray]]:
    """``(structure, arrays)``: a JSON-ready structure and the arrays it names, in order."""
    structure, arrays, _ = flatten_with_devices(obj)
    return structure, arrays


def flatten_with_devices(obj) -> tuple[Any, dict[str, numpy.ndarray], dict[str, str]]:
    """As :func:`flatten`, plus the device each off-host tensor was saved from, by name."""
    flattener = _Flattener()
    return flattener.encode(obj, ""), flattener.arrays, flattener.devices


def unflatten(structure, tensors: dict[str, Tensor]):
    """Rebuild the object :func:`flatten` described, taking arrays from ``tensors``."""
    if isinstance(structure, list):
        return [unflatten(item, tensors) for item in structure]
    if not isinstance(structure, dict):
        return structure
    if len(structure) == 1:
        (marker, content), = structure.items()
        if marker in _MARKERS:
            return _MARKERS[marker](content, tensors)
    return {key: unflatten(item, tensors) for key, item in structure.items()}


def _tensor(name, tensors):
    if name not in tensors:
        raise KeyError(f"the structure names a tensor {name!r} that the file does not hold")
    return tensors[name]


_MARKERS = {
    "__tensor__": _tensor,
    "__ndarray__": lambda name, tensors: _tensor(name, tensors)._data,
    "__float__": lambda text, tensors: float(text),
    "__tuple__": lambda items, tensors: tuple(unflatten(item, tensors) for item in items),
    "__dict__": lambda pairs, tensors: {_hashable(unflatten(key, tensors)): unflatten(item, tensors)
                                        for key, item in pairs},
}


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, (list, tuple)) else key


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _unique(name: str, taken: dict) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}#{number}"
    return candidate
