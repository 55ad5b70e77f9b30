"""Watching one logged value: shared by EarlyStopping, ModelCheckpoint and ReduceLROnPlateau.

``mode='auto'`` minimizes losses and errors and maximizes accuracies, AUC,
precision and recall, as Keras infers from the name.

Example:
    >>> better = improvement_test("val_accuracy", "auto")
    >>> better(0.9, 0.8), initial_best("val_accuracy", "auto")
    (True, -inf)
    >>> improvement_test("val_loss", "auto", min_delta=0.1)(0.95, 1.0)
    False
"""
from __future__ import annotations

import operator
import warnings

_MAXIMIZED = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "iou")


def direction(monitor: str, mode: str) -> str:
    """'min' or 'max' for the quantity named ``monitor``."""
    if mode in ("min", "max"):
        return mode
    if mode != "auto":
        warnings.warn(f"Unknown mode {mode!r}, falling back to 'auto'", stacklevel=3)
    name = monitor.removeprefix("val_").lower()
    return "max" if any(word in name for word in _MAXIMIZED) else "min"


def improvement_test(monitor: str, mode: str, min_delta: float = 0.0):
    """``better(current, best)``: True when ``current`` beats ``best`` by more than ``min_delta``."""
    delta = abs(min_delta)
    if direction(monitor, mode) == "min":
        return lambda current, best: operator.lt(current, best - delta)
    return lambda current, best: operator.gt(current, best + delta)


def initial_best(monitor: str, mode: str) -> float:
    return float("inf") if direction(monitor, mode) == "min" else -float("inf")


def monitored_value(logs, monitor: str, who: str):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{who} conditioned on metric `{monitor}` which is not available. Available "
                      f"metrics are: {','.join(logs or {})}", stacklevel=3)
    return value
