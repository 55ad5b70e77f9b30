"""Confusion-matrix metrics: Precision, Recall, AUC, TruePositives … (binary or per-label).

Predictions above a threshold count as positive. AUC accumulates the
confusion counts at ``num_thresholds`` thresholds (Keras's: evenly spaced in
(0, 1) plus one just below 0 and one just above 1) and integrates them with
Keras's rules: the trapezoidal rule for ROC, and Davis & Goadrich's
interpolation for the precision-recall curve. The counts are NumPy arrays
updated eagerly (``fit`` updates metrics outside its compiled step), so these
metrics cannot be updated inside an ``ember.function`` trace; ``result()`` is a tensor.

Example:
    >>> import numpy as np
    >>> from ember.keras import metrics
    >>> y_true, y_pred = np.array([0, 1, 1, 1]), np.array([0.8, 0.9, 0.4, 0.6])
    >>> float(metrics.Precision()(y_true, y_pred)), float(metrics.Recall()(y_true, y_pred))
    (0.6666666865348816, 0.6666666865348816)
    >>> round(float(metrics.AUC()(y_true, y_pred)), 4)
    0.3333
"""
from __future__ import annotations

import numpy

from .. import backend
from .metric import Metric, _align, as_numpy, as_result


def _sigmoid(values):
    return 1.0 / (1.0 + numpy.exp(-values))


class _ConfusionMatrix(Metric):
    """Counts of true/false positives/negatives at each threshold."""

    def __init__(self, thresholds, name=None, dtype=None, class_id: int | None = None, from_logits=False):
        super().__init__(name, dtype)
        self.thresholds = numpy.asarray(thresholds, dtype=numpy.float64).reshape(-1)
        self.class_id, self.from_logits = class_id, from_logits
        self.reset_state()

    def reset_state(self) -> None:
        zeros = numpy.zeros(len(self.thresholds))
        self.true_positives, self.false_positives = zeros.copy(), zeros.copy()
        self.true_negatives, self.false_negatives = zeros.copy(), zeros.copy()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = as_numpy(y_true).astype(numpy.float64), as_numpy(y_pred).astype(numpy.float64)
        if self.from_logits:
            y_pred = _sigmoid(y_pred)
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        weights = numpy.ones_like(y_pred) if sample_weight is None else numpy.broadcast_to(
            _align(as_numpy(sample_weight).astype(numpy.float64), y_pred.ndim), y_pred.shape)
        positive, weights, y_pred = (y_true > 0.5).ravel(), weights.ravel(), y_pred.ravel()
        above = y_pred[None, :] > self.thresholds[:, None]  # (thresholds, values)
        self.true_positives += (above & positive) @ weights
        self.false_positives += (above & ~positive) @ weights
        self.false_negatives += (~above & positive) @ weights
        self.true_negatives += (~above & ~positive) @ weights


def _ratio(numerator, denominator):
    return numpy.divide(numerator, denominator, out=numpy.zeros_like(numerator), where=denominator > 0)


class Precision(_ConfusionMatrix):
    """``tp / (tp + fp)`` at ``thresholds`` (default 0.5)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None:
            raise NotImplementedError("Precision(top_k=...) is not supported")
        super().__init__(0.5 if thresholds is None else thresholds, name, dtype, class_id)
        self._scalar = thresholds is None or numpy.ndim(thresholds) == 0

    def result(self):
        values = _ratio(self.true_positives, self.true_positives + self.false_positives).astype(numpy.float32)
        return as_result(values[0] if self._scalar else values)


class Recall(Precision):
    """``tp / (tp + fn)`` at ``thresholds`` (default 0.5)."""

    def result(self):
        values = _ratio(self.true_positives, self.true_positives + self.false_negatives).astype(numpy.float32)
        return as_result(values[0] if self._scalar else values)


def _count_metric(name: str, attribute: str) -> type:
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMatrix.__init__(self, 0.5 if thresholds is None else thresholds, name, dtype)

    def result(self):
        values = getattr(self, attribute).astype(numpy.float32)
        return as_result(values[0] if len(values) == 1 else values)
    return type(name, (_ConfusionMatrix,), {"__init__": __init__, "result": result,
                                             "__doc__": f"The weighted count of {attribute.replace('_', ' ')}."})


TruePositives = _count_metric("TruePositives", "true_positives")
FalsePositives = _count_metric("FalsePositives", "false_positives")
TrueNegatives = _count_metric("TrueNegatives", "true_negatives")
FalseNegatives = _count_metric("FalseNegatives", "false_negatives")


class AUC(_ConfusionMatrix):
    """Area under the ROC (default) or precision-recall (``curve='PR'``) curve."""

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name=None, dtype=None, thresholds=None, multi_label: bool = False, num_labels=None,
                 label_weights=None, from_logits: bool = False):
        if multi_label:
            raise NotImplementedError("AUC(multi_label=True) is not supported")
        self.multi_label, self.num_labels, self.label_weights = multi_label, num_labels, label_weights
        self._given_thresholds = None if thresholds is None else sorted(thresholds)
        if thresholds is None:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds = [0.0 - backend.epsilon()] + inner + [1.0 + backend.epsilon()]
        else:
            thresholds = [0.0 - backend.epsilon()] + sorted(thresholds) + [1.0 + backend.epsilon()]
        super().__init__(thresholds, name, dtype, from_logits=from_logits)
        self.num_thresholds, self.curve = len(self.thresholds), curve.upper()
        self.summation_method = summation_method

    def result(self):
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        if self.curve == "PR" and self.summation_method == "interpolation":
            return as_result(_interpolated_pr_auc(tp, fp, fn))
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        else:
            x, y = recall, _ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = numpy.minimum(y[:-1], y[1:])
        else:
            heights = numpy.maximum(y[:-1], y[1:])
        return as_result(numpy.sum((x[:-1] - x[1:]) * heights))

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": self.label_weights,
                  "from_logits": self.from_logits}
        if self._given_thresholds is not None:
            config["thresholds"] = self._given_thresholds
        return config


def _interpolated_pr_auc(tp, fp, fn) -> float:
    """Davis & Goadrich (2006): precision interpolated between thresholds, as Keras computes it."""
    dtp = tp[:-1] - tp[1:]
    predicted = tp + fp
    dp = predicted[:-1] - predicted[1:]
    slope = _ratio(dtp, numpy.maximum(dp, 0))
    intercept = tp[1:] - slope * predicted[1:]
    both = (predicted[:-1] > 0) & (predicted[1:] > 0)
    safe_ratio = numpy.where(both, _ratio(predicted[:-1], numpy.maximum(predicted[1:], 0)), 1.0)
    increments = _ratio(slope * (dtp + intercept * numpy.log(safe_ratio)), numpy.maximum(tp[1:] + fn[1:], 0))
    return float(numpy.sum(increments))
