"""Keras's object serialization: the custom-object registry and ``serialize``/``deserialize_keras_object``.

A serialized object is Keras 3's dict ``{"module", "class_name", "config",
"registered_name"}`` (built-in classes are named by their public module,
``keras.layers`` …, so the dicts match real Keras's); functions are
``class_name 'function'`` with their (registered) name as config; NumPy arrays
are ``__numpy__`` entries; lists, tuples and dicts are serialized item by item.

Custom classes and functions become known by ``@register_keras_serializable``
(the global registry, :func:`get_custom_objects`), by a ``custom_object_scope``
block, or by the ``custom_objects`` argument of a loading call.

Example:
    >>> from ember import keras
    >>> @keras.utils.register_keras_serializable(package="demo")
    ... class Twice(keras.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> keras.utils.get_registered_name(Twice), keras.utils.get_registered_object("demo>Twice") is Twice
    ('demo>Twice', True)
    >>> config = keras.utils.serialize_keras_object(keras.layers.Dense(3))
    >>> config["module"], config["class_name"], config["config"]["units"]
    ('keras.layers', 'Dense', 3)
    >>> keras.utils.deserialize_keras_object(config).units
    3
"""
from __future__ import annotations

import importlib
import inspect
import threading
import types

import numpy

import ember

_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_local = threading.local()
# The public Keras namespaces whose classes serialize as "keras.<name>" (Keras's "module" field).
_PUBLIC_MODULES = ("layers", "losses", "metrics", "optimizers", "initializers", "regularizers",
                   "constraints", "callbacks", "models", "activations", "optimizers.schedules", "quantizers")


def _scopes() -> list:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class CustomObjectScope:
    """Within the block, the given ``{name: class_or_function}`` dicts resolve names during deserialization.

    Example:
        >>> from ember import keras
        >>> def swish_ish(x):
        ...     return x
        >>> with keras.utils.custom_object_scope({"swish_ish": swish_ish}):
        ...     keras.utils.get_registered_object("swish_ish") is swish_ish
        True
    """

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, dict):
                raise TypeError(f"custom_object_scope takes dicts of name -> object; received {objects!r}")
            self.custom_objects.update(objects or {})

    def __enter__(self) -> "CustomObjectScope":
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info) -> None:
        _scopes().pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The global registry (a live dict: adding ``name -> class`` to it registers the class)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: register a class or function under ``'package>name'`` (name defaults to ``__name__``)."""
    def register(obj):
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj
    return register


def get_registered_name(obj) -> str:
    """The name ``obj`` is registered under, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None):
    """The object registered as ``name``: scopes, then the global registry, then the dicts given; else None."""
    for scope in reversed(_scopes()):
        if name in scope:
            return scope[name]
    for source in (_GLOBAL_CUSTOM_OBJECTS, custom_objects or {}, module_objects or {}):
        if name in source:
            return source[name]
    return None


# --- serializing -----------------------------------------------------------------------------------
def _public_module(obj) -> str | None:
    """``'keras.layers'`` when ``obj`` is the class Ember's ``keras.layers`` exposes under its name."""
    cls = obj if inspect.isclass(obj) else type(obj)
    if not cls.__module__.startswith("ember.keras"):
        return None
    for module_name in _PUBLIC_MODULES:
        module = importlib.import_module(f"ember.keras.{module_name}")
        if getattr(module, cls.__name__, None) is cls:
            return f"keras.{module_name}"
    return None


def serialize_keras_object(obj):
    """Keras 3's JSON-ready form of ``obj`` (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(item) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, (numpy.ndarray, ember.Tensor)):
        array = numpy.asarray(obj.detach() if isinstance(obj, ember.Tensor) else obj)
        return {"class_name": "__numpy__", "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    if isinstance(obj, numpy.generic):
        return obj.item()
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return {"module": "builtins", "class_name": "function", "config": get_registered_name(obj),
                "registered_name": "function"}
    if inspect.isclass(obj):
        return {"module": _public_module(obj) or obj.__module__, "class_name": "__typespec__",
                "config": get_registered_name(obj), "registered_name": None}
    if hasattr(obj, "get_config"):
        return _serialize_configurable(obj)
    raise TypeError(f"Cannot serialize {obj!r}: it is not a number, string, container, array, function or an "
                    "object with get_config()")


def _serialize_configurable(obj) -> dict:
    from ..mixed_precision import DTypePolicy
    cls = type(obj)
    if isinstance(obj, DTypePolicy):
        return {"module": "keras", "class_name": "DTypePolicy", "config": obj.get_config(), "registered_name": None}
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    module = None if registered else _public_module(obj)  # a registered class is found by its name
    if module is None:
        module, registered = cls.__module__, registered or cls.__name__
    return {"module": module, "class_name": cls.__name__, "config": _json_ready(obj.get_config()),
            "registered_name": registered}


def _json_ready(value):
    """A get_config() result with objects inside it serialized (its dicts and lists stay as they are)."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return serialize_keras_object(value)


# --- deserializing ---------------------------------------------------------------------------------
def _find(name: str, module: str | None, custom_objects: dict | None):
    """A registered object, else the class or function ``module`` (``keras.layers`` …) names."""
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    candidates = [module.removeprefix("keras").strip(".")] if module and module.startswith("keras") else []
    for module_name in candidates + list(_PUBLIC_MODULES):
        try:
            public = importlib.import_module("ember.keras" + (f".{module_name}" if module_name else ""))
        except ImportError:
            continue
        if getattr(public, name, None) is not None:
            return getattr(public, name)
    return None


def deserialize_keras_object(config, custom_objects: dict | None = None, safe_mode: bool = True, **kwargs):
    """The object :func:`serialize_keras_object` described (a plain string stays a string)."""
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(item, custom_objects, safe_mode) for item in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects, safe_mode) for key, value in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__numpy__":
        return numpy.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name in ("function", "__typespec__"):
        found = _find(inner, config.get("module"), custom_objects)
        if found is None:
            raise ValueError(f"Could not locate function {inner!r}. Register it with "
                             "`@keras.utils.register_keras_serializable()` or pass it in `custom_objects`.")
        return found
    if class_name == "DTypePolicy" and config.get("module") == "keras":
        from ..mixed_precision import DTypePolicy
        return DTypePolicy(**inner)
    cls = _find(config.get("registered_name") or class_name, config.get("module"), custom_objects)
    if cls is None and config.get("registered_name"):
        cls = _find(class_name, config.get("module"), custom_objects)
    if cls is None or not hasattr(cls, "from_config"):
        raise TypeError(f"Could not locate class {class_name!r}. Make sure custom classes are decorated with "
                        "`@keras.utils.register_keras_serializable()` or passed in `custom_objects`. "
                        f"Full object config: {config}")
    from .. import keras_format  # a config real Keras wrote carries bookkeeping Ember's classes drop
    with CustomObjectScope(custom_objects or {}):
        return cls.from_config(keras_format.normalize_config(inner))
