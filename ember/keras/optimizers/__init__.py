"""Keras optimizers (``keras.optimizers``) on Ember's update rules.

Example:
    >>> from ember import keras
    >>> type(keras.optimizers.get("rmsprop")).__name__
    'RMSprop'
    >>> keras.optimizers.deserialize(keras.optimizers.serialize(keras.optimizers.SGD(0.5))).learning_rate
    0.5
"""
from __future__ import annotations

from . import legacy, schedules
from .algorithms import (SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lamb, Lion, Muon, Nadam,
                         RMSprop, ScheduleFreeAdamW)
from .base import Optimizer
from .loss_scale import LossScaleOptimizer
from .multi_optimizer import MultiOptimizer, OptimizerMap

_CLASSES = {cls.__name__: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion,
                                          Ftrl, Adafactor, Lamb, Muon, ScheduleFreeAdamW, LossScaleOptimizer,
                                          MultiOptimizer)}


def get(identifier) -> Optimizer:
    """An optimizer from a name (``'adam'``), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        by_lower = {name.lower(): cls for name, cls in _CLASSES.items()}
        if identifier.lower() in by_lower:
            return by_lower[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Use one of "
                     f"{sorted(name.lower() for name in _CLASSES)} or a keras.optimizers object.")


def serialize(optimizer: Optimizer) -> dict:
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict) -> Optimizer:
    return _CLASSES[config["class_name"]].from_config(config.get("config", {}))
