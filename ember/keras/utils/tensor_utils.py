"""Small Keras helpers about tensors: ``standardize_dtype``, ``is_keras_tensor``, ``get_source_inputs``.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> keras.utils.standardize_dtype(float), keras.utils.standardize_dtype(np.int64), keras.utils.standardize_dtype(None)
    ('float32', 'int64', 'float32')
    >>> x = keras.Input(shape=(3,))
    >>> y = keras.layers.Dense(2)(keras.layers.Dense(4)(x))
    >>> keras.utils.is_keras_tensor(y), keras.utils.is_keras_tensor(np.ones(2))
    (True, False)
    >>> keras.utils.get_source_inputs(y) == [x]
    True
"""
from __future__ import annotations

from .. import backend

# Keras's dtype names; Python's int is int32 on every backend but TensorFlow.
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
                  "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64",
                  "complex128")
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                  complex: "complex64"}


def standardize_dtype(dtype) -> str:
    """Keras's name of ``dtype`` (a string, a Python type, a NumPy/Ember/torch dtype; None is floatx)."""
    if dtype is None:
        return backend.floatx()
    dtype = _PYTHON_DTYPES.get(dtype, dtype) if isinstance(dtype, (type, str)) else dtype
    if hasattr(dtype, "name") and isinstance(dtype.name, str):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype) or "ember" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_keras_tensor(x) -> bool:
    """Whether ``x`` is a symbolic KerasTensor (from ``keras.Input`` or a layer called on one)."""
    from ..layers.symbolic import KerasTensor
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor) -> list:
    """The ``keras.Input`` tensors ``tensor`` is computed from (in the order first met, depth first)."""
    from ..layers.input_layer import InputLayer
    if not is_keras_tensor(tensor) or tensor._history is None:
        return [tensor]
    sources, seen, pending = [], set(), [tensor]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        node = current._history[0]
        if isinstance(node.layer, InputLayer) or not node.input_tensors:
            sources.append(current)
        else:
            pending.extend(reversed(node.input_tensors))
    return sources
