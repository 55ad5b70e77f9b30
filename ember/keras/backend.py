"""Keras's global state: layer names, the training flag of the current call, constants.

Keras keeps a little process-wide state; Ember keeps it here, in one place:
- unique default names (``dense``, ``dense_1`` …), reset by :func:`clear_session`;
- the *call context*: the ``training`` flag of the outermost layer call, so a
  Dropout deep inside a subclassed model sees ``training=True`` during ``fit``
  even when the user's ``call()`` never passes it on;
- ``floatx()``, ``epsilon()`` and ``image_data_format()`` as in ``keras.config``.

Example:
    >>> from ember.keras import backend
    >>> backend.clear_session()
    >>> backend.unique_name("dense"), backend.unique_name("dense")
    ('dense', 'dense_1')
    >>> with backend.call_context(training=True):
    ...     backend.current_training()
    True
    >>> backend.current_training() is None
    True
"""
from __future__ import annotations

import contextlib
import re
import threading
from collections import defaultdict

_EPSILON = 1e-7
_FLOATX = "float32"
_IMAGE_DATA_FORMAT = "channels_last"

_name_counts: dict[str, int] = defaultdict(int)
_local = threading.local()


def floatx() -> str:
    """The default float type of weights and inputs: ``'float32'``."""
    return _FLOATX


def epsilon() -> float:
    """The fuzz factor Keras adds to avoid division by zero (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Always ``'channels_last'``: images are (batch, height, width, channels)."""
    return _IMAGE_DATA_FORMAT


def snake_case(name: str) -> str:
    """``'MaxPooling2D'`` → ``'max_pooling2d'``, the way Keras derives default names."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2`` … (per process, until clear_session)."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Forget the names handed out so far (``keras.backend.clear_session``)."""
    _name_counts.clear()


def _stack() -> list:
    if not hasattr(_local, "training"):
        _local.training = []
    return _local.training


def current_training():
    """The ``training`` flag set by the enclosing layer call, or None outside any."""
    stack = _stack()
    return stack[-1] if stack else None


@contextlib.contextmanager
def call_context(training):
    """Make ``training`` the flag inner layer calls inherit while this block runs."""
    stack = _stack()
    stack.append(training)
    try:
        yield
    finally:
        stack.pop()
