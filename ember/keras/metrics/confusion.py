"""Confusion-matrix metrics: Precision, Recall, AUC, TruePositives … (binary or per-label).

Predictions above a threshold count as positive; a label counts as positive
when it is nonzero (Keras casts labels to bool). AUC accumulates the
confusion counts at ``num_thresholds`` thresholds (Keras's: evenly spaced in
(0, 1) plus one just below 0 and one just above 1) and integrates them with
Keras's rules: the trapezoidal rule for ROC, and Davis & Goadrich's
interpolation for the precision-recall curve. The counts are state variables
(one per threshold) updated with Ember ops, so these metrics also update
inside an ``ember.function`` trace (a compiled ``fit`` step); ``result()`` is
a tensor.

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

import ember

from .. import backend
from .metric import Metric, as_tensor, divide_no_nan

_COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def aligned_weights(sample_weight, like):
    """Sample weights of shape (batch,) or (batch, 1 …) broadcast against ``like`` (batch, ...)."""
    if sample_weight is None:
        return ember.ones_like(like)
    weights = as_tensor(sample_weight, like.dtype)
    while weights.ndim > like.ndim and weights.shape[-1] == 1:
        weights = ember.squeeze(weights, -1)
    weights = ember.reshape(weights, tuple(weights.shape) + (1,) * (like.ndim - weights.ndim))
    return ember.broadcast_to(weights, tuple(like.shape))


class _ConfusionMatrix(Metric):
    """Weighted counts of true/false positives/negatives at each threshold, in state variables."""

    def __init__(self, thresholds, name=None, dtype=None, class_id: int | None = None, from_logits=False):
        super().__init__(name, dtype)
        self.thresholds = [float(value) for value in (thresholds if isinstance(thresholds, (list, tuple))
                                                      else [thresholds])]
        self.class_id, self.from_logits = class_id, from_logits
        for count in _COUNTS:
            setattr(self, count, self.add_variable(shape=(len(self.thresholds),), name=count))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = as_tensor(y_pred, "float32")
        y_true = as_tensor(y_true, "float32")
        if self.from_logits:
            y_pred = ember.sigmoid(y_pred)
        if y_true.ndim == y_pred.ndim - 1:
            y_true = ember.unsqueeze(y_true, -1)
        elif y_pred.ndim == y_true.ndim - 1:
            y_pred = ember.unsqueeze(y_pred, -1)
        weights = aligned_weights(sample_weight, y_pred)
        if self.class_id is not None:
            y_true, y_pred, weights = (value[..., self.class_id] for value in (y_true, y_pred, weights))
        positive = ember.reshape(ember.cast(y_true != 0, "float32"), (-1,))
        weights, y_pred = ember.reshape(weights, (-1,)), ember.reshape(y_pred, (-1,))
        thresholds = ember.tensor(self.thresholds, dtype=ember.float32)
        above = ember.cast(ember.unsqueeze(y_pred, 0) > ember.unsqueeze(thresholds, 1), "float32")
        positive_weights, negative_weights = positive * weights, (1.0 - positive) * weights
        true_positives = ember.matmul(above, positive_weights)
        false_positives = ember.matmul(above, negative_weights)
        self.true_positives.assign_add(true_positives)
        self.false_positives.assign_add(false_positives)
        self.false_negatives.assign_add(ember.sum(positive_weights) - true_positives)
        self.true_negatives.assign_add(ember.sum(negative_weights) - false_positives)

    def _counts(self) -> tuple:
        return tuple(getattr(self, count).value for count in _COUNTS)


class Precision(_ConfusionMatrix):
    """``tp / (tp + fp)`` at ``thresholds`` (default 0.5)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None:
            raise NotImplementedError("Precision(top_k=...) is not supported")
        super().__init__(0.5 if thresholds is None else thresholds, name, dtype, class_id)
        self._scalar = thresholds is None or not isinstance(thresholds, (list, tuple))
        self.init_thresholds, self.top_k = thresholds, top_k

    def _rate(self, hits, misses):
        values = divide_no_nan(hits, hits + misses)
        return values[0] if self._scalar else values

    def result(self):
        tp, fp, _, _ = self._counts()
        return self._rate(tp, fp)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Recall(Precision):
    """``tp / (tp + fn)`` at ``thresholds`` (default 0.5)."""

    def result(self):
        tp, _, _, fn = self._counts()
        return self._rate(tp, fn)


def _count_metric(name: str, attribute: str) -> type:
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMatrix.__init__(self, 0.5 if thresholds is None else thresholds, name, dtype)
        self.init_thresholds = thresholds

    def result(self):
        values = getattr(self, attribute).value
        return values[0] if len(self.thresholds) == 1 else values.clone()

    def get_config(self) -> dict:
        return {**Metric.get_config(self), "thresholds": self.init_thresholds}
    return type(name, (_ConfusionMatrix,), {"__init__": __init__, "result": result, "get_config": get_config,
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
        tp, fp, tn, fn = self._counts()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _interpolated_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ember.minimum(y[:-1], y[1:])
        else:
            heights = ember.maximum(y[:-1], y[1:])
        return ember.sum((x[:-1] - x[1:]) * heights)

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": self.label_weights,
                  "from_logits": self.from_logits}
        if self._given_thresholds is not None:
            config["thresholds"] = self._given_thresholds
        return config


def _interpolated_pr_auc(tp, fp, fn):
    """Davis & Goadrich (2006): precision interpolated between thresholds, as Keras computes it."""
    dtp = tp[:-1] - tp[1:]
    predicted = tp + fp
    dp = predicted[:-1] - predicted[1:]
    slope = divide_no_nan(dtp, ember.clamp(dp, min=0.0))
    intercept = tp[1:] - slope * predicted[1:]
    both = (predicted[:-1] > 0) & (predicted[1:] > 0)
    ratio = divide_no_nan(predicted[:-1], ember.clamp(predicted[1:], min=0.0))
    safe_ratio = ember.where(both, ratio, ember.ones_like(ratio))
    increments = divide_no_nan(slope * (dtp + intercept * ember.log(safe_ratio)),
                               ember.clamp(tp[1:] + fn[1:], min=0.0))
    return ember.sum(increments)
