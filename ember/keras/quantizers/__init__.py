"""``keras.quantizers``: Keras 3's quantizers and quantization math, on Ember tensors.

``Quantizer`` / ``AbsMaxQuantizer`` (int8 abs-max), ``abs_max_quantize``,
``fake_quant_with_min_max_vars``, the float8 helpers (``compute_float8_scale``,
``compute_float8_amax_history``, ``quantize_and_dequantize``), and
``get``/``serialize``/``deserialize``. Quantizing layers (``layer.quantize``,
int4/GPTQ/AWQ configs) are not part of Ember.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> quantizer = keras.quantizers.get({"class_name": "AbsMaxQuantizer", "config": {"axis": -1}})
    >>> q, scale = quantizer(np.array([[0.5, -1.0]], dtype="float32"))
    >>> q.tolist(), keras.quantizers.serialize(quantizer)["class_name"]
    ([[63, -127]], 'AbsMaxQuantizer')
"""
from __future__ import annotations

import inspect

from .float8 import compute_float8_amax_history, compute_float8_scale, quantize_and_dequantize
from .quantizers import AbsMaxQuantizer, Quantizer, abs_max_quantize, fake_quant_with_min_max_vars

_OBJECTS = {"Quantizer": Quantizer, "quantizer": Quantizer, "AbsMaxQuantizer": AbsMaxQuantizer,
            "abs_max_quantizer": AbsMaxQuantizer}


def serialize(quantizer) -> dict:
    """Keras 3's config dict of ``quantizer`` (``module``, ``class_name``, ``config``, ``registered_name``)."""
    from ..utils.serialization import serialize_keras_object
    return serialize_keras_object(quantizer)


def deserialize(config, custom_objects: dict | None = None) -> Quantizer:
    """The quantizer a :func:`serialize` dict describes."""
    from ..utils.serialization import deserialize_keras_object
    if isinstance(config, dict) and config.get("class_name") in _OBJECTS and "module" not in config:
        return _OBJECTS[config["class_name"]].from_config(config.get("config", {}))
    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier, **kwargs):
    """A quantizer from a config dict, a class name (built with ``kwargs``) or a callable; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        found = deserialize(identifier)
    elif isinstance(identifier, str):
        found = _OBJECTS.get(identifier)
    else:
        found = identifier
    if not callable(found):
        raise ValueError(f"Could not interpret quantizer identifier: {identifier}")
    return found(**kwargs) if inspect.isclass(found) else found


__all__ = ["AbsMaxQuantizer", "Quantizer", "abs_max_quantize", "compute_float8_amax_history", "compute_float8_scale",
           "deserialize", "fake_quant_with_min_max_vars", "get", "quantize_and_dequantize", "serialize"]
