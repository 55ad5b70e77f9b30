"""Score metrics: FBetaScore/F1Score, R2Score, and the metrics at a fixed operating point.

All accumulate their counts in state variables updated with Ember ops (so
they also update inside an ``ember.function`` trace, a compiled ``fit`` step)
and compute Keras's formulas in ``result()`` (a 0-d or 1-d tensor). FBetaScore
and R2Score make their per-class variables at the first update, when the
number of classes is known, as Keras does.

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

import ember

from .. import backend
from .confusion import _ConfusionMatrix, aligned_weights
from .metric import Metric, as_tensor, divide_no_nan


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
        self._built = False

    def _build(self, num_classes: int) -> None:
        shape = () if self.average == "micro" else (num_classes,)
        for state in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, state, self.add_variable(shape=shape, name=state))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = as_tensor(y_true, "float32"), as_tensor(y_pred, "float32")
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={tuple(y_pred.shape)} and y_true.shape={tuple(y_true.shape)}.")
        if not self._built:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            predicted = (y_pred >= ember.amax(y_pred, -1, keepdim=True)) & (ember.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = ember.cast(predicted, "float32")
        weights = 1.0 if sample_weight is None else ember.reshape(as_tensor(sample_weight, "float32"), (-1, 1))
        axis = (0, 1) if self.average == "micro" else 0
        self.true_positives.assign_add(ember.sum(predicted * y_true * weights, dim=axis))
        self.false_positives.assign_add(ember.sum(predicted * (1 - y_true) * weights, dim=axis))
        self.false_negatives.assign_add(ember.sum((1 - predicted) * y_true * weights, dim=axis))
        self.intermediate_weights.assign_add(ember.sum(y_true * weights, dim=axis))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def result(self):
        if not self._built:
            return as_tensor(0.0, "float32")
        eps = backend.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        beta_squared = self.beta ** 2
        score = (1 + beta_squared) * precision * recall / (beta_squared * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            score = ember.sum(score * (weights / (ember.sum(weights) + eps)))
        elif self.average is not None:
            score = ember.mean(score)
        return score

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
        self.num_samples = self.add_variable(shape=(), dtype="int32", name="num_samples")
        self._built = False

    def _build(self, num_outputs: int) -> None:
        for state in ("squared_sum", "sum", "total_mse", "count"):
            setattr(self, state, self.add_variable(shape=(num_outputs,), name=state))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = as_tensor(y_true, "float32"), as_tensor(y_pred, "float32")
        if y_true.ndim == y_pred.ndim - 1:
            y_true = ember.unsqueeze(y_true, -1)
        if y_true.ndim != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={tuple(y_pred.shape)} and y_true.shape={tuple(y_true.shape)}.")
        if not self._built:
            self._build(y_true.shape[-1])
        weights = aligned_weights(sample_weight, y_true)
        self.sum.assign_add(ember.sum(y_true * weights, 0))
        self.squared_sum.assign_add(ember.sum(y_true * y_true * weights, 0))
        self.total_mse.assign_add(ember.sum((y_true - y_pred) ** 2 * weights, 0))
        self.count.assign_add(ember.sum(weights, 0))
        self.num_samples.assign_add(ember.tensor(y_true.shape[0] * y_true.shape[1], dtype=ember.int32))

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(ember.zeros(tuple(variable.shape), dtype=variable.dtype))

    def result(self):
        if not self._built:
            return as_tensor(0.0, "float32")
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        scores = 1 - self.total_mse.value / total
        scores = ember.where(ember.isinf(scores), ember.zeros_like(scores), scores)
        if self.class_aggregation == "uniform_average":
            score = ember.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = ember.sum(total * scores) / ember.sum(total)
        else:
            score = scores
        if self.num_regressors:
            samples = ember.cast(self.num_samples.value, "float32")
            adjusted = 1 - (1 - score) * (samples - 1) / (samples - self.num_regressors - 1)
            score = ember.where(samples - 1 > self.num_regressors, adjusted, score)
        return score

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
        return ember.clamp(ember.amax(ember.where(feasible, dependent, ember.zeros_like(dependent))), min=0.0)

    def _rates(self) -> dict:
        tp, fp, tn, fn = self._counts()
        return {"recall": divide_no_nan(tp, tp + fn), "precision": divide_no_nan(tp, tp + fp),
                "specificity": divide_no_nan(tn, tn + fp)}

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
