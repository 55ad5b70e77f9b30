"""Keras activations by name (``activation='relu'``), each a thin call into Ember's ops.

The math lives in ``ember`` / ``ember.nn.functional``; this module only gives
Keras's names and arguments (``negative_slope``, ``axis`` …) and the
name ↔ function mapping used by ``get`` and by layer configs.

Example:
    >>> import ember
    >>> from ember.keras import activations
    >>> activations.get("relu")(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> activations.serialize(activations.get("softmax"))
    'softmax'
"""
from __future__ import annotations

from typing import Callable

import ember
from ember.nn import functional as F

# Bound at import (not looked up per call): the registry keras.saving.register_keras_serializable fills
from .utils import serialization as _serialization


def linear(x):
    """The identity (Keras's ``activation=None``)."""
    return x


def relu(x, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0):
    """max(x, 0), with Keras's optional leak, ceiling and threshold (Keras's own formula)."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ember.relu(x)
    if negative_slope and max_value is None and threshold == 0.0:
        return F.leaky_relu(x, negative_slope)
    positive = x * ember.cast(x > threshold, x.dtype) if threshold else ember.relu(x)
    if max_value is not None:
        positive = ember.clamp(positive, 0.0, max_value)
    if negative_slope:
        positive = positive - negative_slope * ember.relu(threshold - x)
    return positive


def relu6(x):
    return ember.clamp(x, 0.0, 6.0)


def leaky_relu(x, negative_slope: float = 0.2):
    """Keras's default slope is 0.2 (PyTorch's is 0.01)."""
    return F.leaky_relu(x, negative_slope)


def elu(x, alpha: float = 1.0):
    return F.elu(x, alpha)


def selu(x):
    return F.selu(x)


def gelu(x, approximate: bool = False):
    return ember.gelu(x, approximate="tanh" if approximate else "none")


def silu(x):
    return ember.silu(x)


swish = silu


def sigmoid(x):
    return ember.sigmoid(x)


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: relu6(x + 3) / 6."""
    return ember.clamp(x / 6.0 + 0.5, 0.0, 1.0)


def tanh(x):
    return ember.tanh(x)


def softplus(x):
    return ember.softplus(x)


def softsign(x):
    return x / (ember.abs(x) + 1.0)


def exponential(x):
    return ember.exp(x)


def mish(x):
    return x * ember.tanh(ember.softplus(x))


def softmax(x, axis: int = -1):
    return ember.softmax(x, axis)


def log_softmax(x, axis: int = -1):
    return ember.log_softmax(x, axis)


_BY_NAME: dict[str, Callable] = {function.__name__: function for function in (
    linear, relu, relu6, leaky_relu, elu, selu, gelu, silu, sigmoid, hard_sigmoid, tanh, softplus,
    softsign, exponential, mish, softmax, log_softmax)}
_BY_NAME["swish"] = silu


def get(identifier) -> Callable:
    """The activation for a name, a callable (returned as is) or None (``linear``)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):  # a serialized config: {'class_name': 'relu', ...}
        identifier = identifier.get("config", identifier.get("class_name"))
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]
    if isinstance(identifier, str):  # a registered or custom-object function ("my_package>custom_fn")
        found = _serialization.get_registered_object(identifier)
        if callable(found):
            return found
    raise ValueError(f"Unknown activation: {identifier!r}. Known: {sorted(_BY_NAME)}, or pass "
                     "a callable")


def serialize(activation: Callable) -> str | dict | Callable:
    """The name of a built-in activation (what configs store); another function as Keras writes it
    (``{"class_name": "function", "config": <registered name>, ...}``); other callables as they are."""
    for name, function in _BY_NAME.items():
        if function is activation:
            return name
    if callable(activation) and getattr(activation, "__name__", None) is not None:
        # Keras's form for other functions: {"class_name": "function", "config": "my_package>custom_fn", ...}
        return _serialization.serialize_keras_object(activation)
    return activation
