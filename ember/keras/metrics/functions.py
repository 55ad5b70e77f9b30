"""Per-sample metric functions on NumPy arrays (accuracy variants, regression errors).

Each returns one value per sample, the mean over the last axis where Keras
takes one; labels are squeezed or expanded to meet the predictions' rank.

Example:
    >>> import numpy as np
    >>> from ember.keras.metrics import functions as m
    >>> m.sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
    array([1., 0.])
    >>> m.binary_accuracy(np.array([1, 0]), np.array([[0.9], [0.6]]))
    array([1., 0.])
"""
from __future__ import annotations

import numpy

from .. import backend


def _match_rank(y_true, y_pred):
    y_true, y_pred = numpy.asarray(y_true), numpy.asarray(y_pred)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true, y_pred


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    y_true, y_pred = _match_rank(y_true, y_pred)
    return numpy.mean(y_true == (y_pred > threshold).astype(y_true.dtype), axis=-1, dtype=numpy.float64)


def categorical_accuracy(y_true, y_pred):
    return (numpy.argmax(y_true, -1) == numpy.argmax(y_pred, -1)).astype(numpy.float64)


def _sparse(y_true, y_pred):
    y_true = numpy.asarray(y_true)
    if y_true.ndim == numpy.ndim(y_pred) and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true.astype(numpy.int64)


def sparse_categorical_accuracy(y_true, y_pred):
    return (_sparse(y_true, y_pred) == numpy.argmax(y_pred, -1)).astype(numpy.float64)


def accuracy(y_true, y_pred):
    """Exact equality of labels and predictions (``keras.metrics.Accuracy``)."""
    y_true, y_pred = _match_rank(y_true, y_pred)
    return numpy.mean(y_true == y_pred, axis=-1, dtype=numpy.float64)


def _in_top_k(labels, y_pred, k: int):
    # Ties at the k-th score count as hits, as tf.math.in_top_k does.
    target_scores = numpy.take_along_axis(y_pred, labels[..., None], -1)
    return ((y_pred > target_scores).sum(-1) < k).astype(numpy.float64)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    return _in_top_k(numpy.argmax(y_true, -1), numpy.asarray(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    return _in_top_k(_sparse(y_true, y_pred), numpy.asarray(y_pred), k)


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _match_rank(y_true, y_pred)
    return numpy.mean((y_pred - y_true) ** 2, axis=-1, dtype=numpy.float64)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _match_rank(y_true, y_pred)
    return numpy.mean(numpy.abs(y_pred - y_true), axis=-1, dtype=numpy.float64)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _match_rank(y_true, y_pred)
    ratio = numpy.abs(y_true - y_pred) / numpy.maximum(numpy.abs(y_true), backend.epsilon())
    return 100.0 * numpy.mean(ratio, axis=-1, dtype=numpy.float64)


mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """The cosine of the angle between labels and predictions (the loss of the same name, negated)."""
    y_true, y_pred = _match_rank(y_true, y_pred)
    y_true, y_pred = y_true.astype(numpy.float64), y_pred.astype(numpy.float64)

    def normalize(x):  # Keras: x * min(1 / ||x||, 1 / epsilon)
        with numpy.errstate(divide="ignore"):
            inverse = 1.0 / numpy.sqrt(numpy.sum(x * x, axis, keepdims=True))
        return x * numpy.minimum(inverse, 1.0 / backend.epsilon())
    return numpy.sum(normalize(y_true) * normalize(y_pred), axis)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)))`` over the last axis."""
    y_true, y_pred = _match_rank(y_true, y_pred)
    error = y_pred.astype(numpy.float64) - y_true
    return numpy.mean(error + numpy.logaddexp(0.0, -2.0 * error) - numpy.log(2.0), axis=-1)
