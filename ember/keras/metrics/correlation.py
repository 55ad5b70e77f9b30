"""Correlation metrics: Pearson's and Lin's concordance coefficient per sample, averaged over batches.

Each function returns one coefficient per sample (the statistics are taken along
``axis``, as Keras does); the metric objects keep their running mean.

Example:
    >>> from ember.keras import metrics
    >>> y_true, y_pred = [[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]]
    >>> [round(v, 4) for v in metrics.concordance_correlation(y_true, y_pred).tolist()]
    [0.9756, 0.9877]
    >>> [round(v, 4) for v in metrics.pearson_correlation(y_true, y_pred).tolist()]
    [1.0, 0.9934]
"""
from __future__ import annotations

import ember

from .. import backend
from .metric import MeanMetricWrapper, same_rank, as_tensor


def _pair(y_true, y_pred):
    y_pred = as_tensor(y_pred, "float32")
    return same_rank(as_tensor(y_true, y_pred.dtype), y_pred)


def _population_std(x, axis: int):
    return ember.sqrt(ember.mean(x * x, dim=axis, keepdim=True) - ember.mean(x, dim=axis, keepdim=True) ** 2)


def pearson_correlation(y_true, y_pred, axis: int = -1):
    """Pearson's r between labels and predictions along ``axis`` (one value per sample)."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_centred = y_true - ember.mean(y_true, dim=axis, keepdim=True)
    pred_centred = y_pred - ember.mean(y_pred, dim=axis, keepdim=True)
    true_centred = true_centred / _population_std(true_centred, axis)
    pred_centred = pred_centred / _population_std(pred_centred, axis)
    return ember.mean(true_centred * pred_centred, dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1):
    """Lin's concordance coefficient (Keras's formula, its centring of ``y_true`` by the prediction mean included)."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = ember.mean(y_true, dim=axis, keepdim=True)
    pred_mean = ember.mean(y_pred, dim=axis, keepdim=True)
    true_var = _population_std(y_true - true_mean, axis) ** 2
    pred_var = _population_std(y_pred - pred_mean, axis) ** 2
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + (true_mean - pred_mean) ** 2
    return ember.mean(2 * covariance / (norm + backend.epsilon()), dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of :func:`pearson_correlation`."""

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of :func:`concordance_correlation`."""

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
