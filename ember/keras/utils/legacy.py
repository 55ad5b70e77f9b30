"""``keras.utils.legacy``: Keras 2's serialization format (``{"class_name", "config"}``; a function by its name).

Example:
    >>> from ember import keras
    >>> keras.utils.legacy.serialize_keras_object(keras.regularizers.L2(0.5))
    {'class_name': 'L2', 'config': {'l2': 0.5}}
    >>> keras.utils.legacy.deserialize_keras_object({'class_name': 'L2', 'config': {'l2': 0.5}}).l2
    0.5
"""
from __future__ import annotations

import inspect
import types

from .serialization import deserialize_keras_object as _deserialize
from .serialization import get_registered_name

__all__ = ["deserialize_keras_object", "serialize_keras_object"]


def serialize_keras_object(instance):
    """``{"class_name": ..., "config": ...}`` for an object with ``get_config``; a function's registered name."""
    if instance is None:
        return None
    if isinstance(instance, (types.FunctionType, types.BuiltinFunctionType)) or inspect.isclass(instance):
        return get_registered_name(instance)
    if not hasattr(instance, "get_config"):
        raise ValueError(f"Cannot serialize {instance!r}: it has no get_config()")
    config = {key: serialize_keras_object(value) if hasattr(value, "get_config") else value
              for key, value in instance.get_config().items()}
    return {"class_name": get_registered_name(type(instance)), "config": config}


def deserialize_keras_object(identifier, module_objects: dict | None = None, custom_objects: dict | None = None,
                             printable_module_name: str = "object"):
    """The object a Keras 2 config (or a registered name) describes."""
    if isinstance(identifier, str):
        found = _deserialize({"class_name": "function", "config": identifier, "module": None},
                             {**(module_objects or {}), **(custom_objects or {})})
        return found
    return _deserialize(identifier, {**(module_objects or {}), **(custom_objects or {})})
