"""Score metrics: FBetaScore/F1Score, R2Score, and the metrics at a fixed operating point.

All accumulate NumPy counts across batches and compute Keras's formulas in
``result()`` (a 0-d or 1-d tensor). Their counts are NumPy arrays, so they update
eagerly only, not inside an ``ember.function`` trace (``fit`` updates metrics eagerly).

- ``FBetaScore``: per-class true/false positive and false negative counts;
  predictions are the row's maximum (``threshold=None``) or ``> threshold``;
  ``average`` None (per class), ``'micro'``, ``'macro'`` or ``'weighted'``.
- ``R2Score``: ``1 - SSE / SST`` per output, then aggregated.
- ``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity``,
  ``SpecificityAtSensitivity``: the best value of one rate among
  ``num_thresholds`` thresholds where the other reaches ``value``.

Example:
    >>> import numpy as np
    >>> from ember.keras import metrics
    >>> y_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]])
    >>> y_pred = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7]])
    >>> round(float(metrics.F1Score(average="macro")(y_true, y_pred)), 4)  # classes: 1, 0.5 and 0
    0.5
    >>> round(float(metrics.SpecificityAtSensitivity(0.5)([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])), 4)
    0.6667
"""
from __future__ import annotations

import numpy

from .. import backend
from .confusion import _ConfusionMatrix, _ratio
from .metric import Metric, _align, as_numpy, as_result


class FBetaScore(Metric):
    """The F-beta score ``(1 + beta²) P R / (beta² P + R)``, per class or averaged."""

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float > 0. Received: "
                             f"beta={beta}")
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise ValueError(f"Invalid `threshold` argument value. It should be a Python float in the range "
                             f"]0, 1]. Received: threshold={threshold}")
        super().__init__(name, dtype)
        self.average, self.beta, self.threshold = average, beta, threshold
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = self.false_positives = self.false_negatives = self.intermediate_weights = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = as_numpy(y_true).astype(numpy.float64), as_numpy(y_pred).astype(numpy.float64)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received "
                             f"input shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(-1, keepdims=True)) & (numpy.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(numpy.float64)
        weights = 1.0 if sample_weight is None else as_numpy(sample_weight).astype(numpy.float64).reshape(-1, 1)
        axis = None if self.average == "micro" else 0
        self.true_positives = self.true_positives + numpy.sum(predicted * y_true * weights, axis)
        self.false_positives = self.false_positives + numpy.sum(predicted * (1 - y_true) * weights, axis)
        self.false_negatives = self.false_negatives + numpy.sum((1 - predicted) * y_true * weights, axis)
        self.intermediate_weights = self.intermediate_weights + numpy.sum(y_true * weights, axis)

    def result(self):
        eps = backend.epsilon()
        precision = self.true_positives / (self.true_positives + self.false_positives + eps)
        recall = self.true_positives / (self.true_positives + self.false_negatives + eps)
        beta_squared = self.beta ** 2
        score = (1 + beta_squared) * precision * recall / (beta_squared * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights / (numpy.sum(self.intermediate_weights) + eps)
            score = numpy.sum(score * weights)
        elif self.average is not None:
            score = numpy.mean(score)
        return as_result(numpy.asarray(score, dtype=numpy.float32))

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall."""

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self) -> dict:
        return {key: value for key, value in super().get_config().items() if key != "beta"}


class R2Score(Metric):
    """The coefficient of determination per output, aggregated by ``class_aggregation``."""

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype=None):
        if class_aggregation not in ("uniform_average", "variance_weighted_average", None):
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             "{'uniform_average', 'variance_weighted_average', None}. Received: "
                             f"class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        super().__init__(name, dtype)
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.reset_state()

    def reset_state(self) -> None:
        self.sum = self.squared_sum = self.total_mse = self.count = 0.0
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = as_numpy(y_true).astype(numpy.float64), as_numpy(y_pred).astype(numpy.float64)
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        if y_true.ndim != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        weights = numpy.ones_like(y_true) if sample_weight is None else numpy.broadcast_to(
            _align(as_numpy(sample_weight).astype(numpy.float64), 2), y_true.shape)
        self.sum = self.sum + numpy.sum(y_true * weights, 0)
        self.squared_sum = self.squared_sum + numpy.sum(y_true * y_true * weights, 0)
        self.total_mse = self.total_mse + numpy.sum((y_true - y_pred) ** 2 * weights, 0)
        self.count = self.count + numpy.sum(weights, 0)
        self.num_samples += y_true.size

    def result(self):
        with numpy.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum / self.count
            total = self.squared_sum - self.sum * mean
            scores = 1 - self.total_mse / total
        scores = numpy.where(numpy.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = numpy.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = numpy.sum(total * scores) / numpy.sum(total)
        else:
            score = scores
        samples, regressors = self.num_samples, self.num_regressors
        if regressors and regressors < samples - 1:
            score = 1 - (1 - score) * (samples - 1) / (samples - regressors - 1)
        return as_result(numpy.asarray(score, dtype=numpy.float32))

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


class _AtOperatingPoint(_ConfusionMatrix):
    """Confusion counts at ``num_thresholds`` thresholds evenly spaced in [0, 1] (Keras's)."""

    argument = "value"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None, name=None,
                 dtype=None):
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self.argument}` must be in the range [0, 1]. Received: "
                             f"{self.argument}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        thresholds = [0.5] if num_thresholds == 1 else \
            [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        super().__init__(thresholds, name, dtype, class_id)
        self.value, self.num_thresholds = value, num_thresholds

    def _best(self, constrained, dependent):
        """The largest ``dependent`` rate where ``constrained >= value`` (0 when none)."""
        feasible = constrained >= self.value
        return as_result(numpy.max(numpy.where(feasible, dependent, 0.0), initial=0.0))

    def _rates(self) -> dict:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        return {"recall": _ratio(tp, tp + fn), "precision": _ratio(tp, tp + fp),
                "specificity": _ratio(tn, tn + fp)}

    def get_config(self) -> dict:
        return {**super().get_config(), self.argument: self.value, "num_thresholds": self.num_thresholds,
                "class_id": self.class_id}


def _operating_point(class_name: str, argument: str, constrained: str, dependent: str, default_name: str):
    def __init__(self, *args, **kwargs):  # Keras's signature: (<argument>, num_thresholds, class_id, name, dtype)
        if argument in kwargs:
            args = (kwargs.pop(argument),) + args
        kwargs["name"] = kwargs.get("name") or default_name
        _AtOperatingPoint.__init__(self, *args, **kwargs)

    def result(self):
        rates = self._rates()
        return self._best(rates[constrained], rates[dependent])
    doc = f"The best {dependent} among thresholds where {constrained} >= ``{argument}``."
    return type(class_name, (_AtOperatingPoint,), {"__init__": __init__, "result": result, "__doc__": doc,
                                                    "argument": argument})


PrecisionAtRecall = _operating_point("PrecisionAtRecall", "recall", "recall", "precision", "precision_at_recall")
RecallAtPrecision = _operating_point("RecallAtPrecision", "precision", "precision", "recall", "recall_at_precision")
SensitivityAtSpecificity = _operating_point("SensitivityAtSpecificity", "specificity", "specificity", "recall",
                                            "sensitivity_at_specificity")
SpecificityAtSensitivity = _operating_point("SpecificityAtSensitivity", "sensitivity", "recall", "specificity",
                                            "specificity_at_sensitivity")
