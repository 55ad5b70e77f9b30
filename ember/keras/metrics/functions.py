"""Per-sample metric functions in Ember ops (accuracy variants, regression errors).

Each returns one value per sample (a float32 tensor), the mean over the last
axis where Keras takes one; labels are squeezed or expanded to meet the
predictions' rank. Being Ember ops, they run inside a traced step too.

Example:
    >>> import numpy as np
    >>> from ember.keras.metrics import functions as m
    >>> m.sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]])).tolist()
    [1.0, 0.0]
    >>> m.binary_accuracy(np.array([1, 0]), np.array([[0.9], [0.6]])).tolist()
    [1.0, 0.0]
"""
from __future__ import annotations

import ember

from .. import backend
from .metric import as_tensor


def _pair(y_true, y_pred):
    """Float32 predictions and labels of the predictions' rank (Keras's squeeze-or-expand)."""
    y_pred = as_tensor(y_pred, "float32")
    y_true = as_tensor(y_true, y_pred.dtype)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = ember.unsqueeze(y_true, -1)
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = ember.squeeze(y_true, -1)
    return y_true, y_pred


def _floats(condition):
    return ember.cast(condition, "float32")


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    y_true, y_pred = _pair(y_true, y_pred)
    return ember.mean(_floats(y_true == _floats(y_pred > threshold)), dim=-1)


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _floats(ember.argmax(y_true, -1) == ember.argmax(y_pred, -1))


def _sparse(y_true, y_pred):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ember.squeeze(y_true, -1)
    return ember.cast(y_true, "int64")


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _floats(_sparse(y_true, y_pred) == ember.argmax(y_pred, -1))


def accuracy(y_true, y_pred):
    """Exact equality of labels and predictions (``keras.metrics.Accuracy``)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ember.mean(_floats(y_true == y_pred), dim=-1)


def _in_top_k(labels, y_pred, k: int):
    # Ties at the k-th score count as hits, as tf.math.in_top_k does.
    target_scores = ember.take_along_dim(y_pred, ember.unsqueeze(labels, -1), -1)
    return _floats(ember.sum(_floats(y_pred > target_scores), dim=-1) < k)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _in_top_k(ember.argmax(y_true, -1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    return _in_top_k(_sparse(y_true, y_pred), y_pred, k)


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return ember.mean((y_pred - y_true) ** 2, dim=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return ember.mean(ember.abs(y_pred - y_true), dim=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    ratio = ember.abs(y_true - y_pred) / ember.clamp(ember.abs(y_true), min=backend.epsilon())
    return 100.0 * ember.mean(ratio, dim=-1)


mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """The cosine of the angle between labels and predictions (the loss of the same name, negated)."""
    y_true, y_pred = _pair(y_true, y_pred)

    def normalize(x):  # Keras's ops.normalize: x / max(||x||, epsilon)
        norm = ember.sqrt(ember.sum(x * x, dim=axis, keepdim=True))
        return x / ember.clamp(norm, min=backend.epsilon())
    return ember.sum(normalize(y_true) * normalize(y_pred), dim=axis)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)))`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    return ember.mean(error + ember.nn.functional.softplus(-2.0 * error) - 0.6931471805599453, dim=-1)
