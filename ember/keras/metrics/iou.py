"""Intersection-over-union metrics: IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU.

All accumulate a ``num_classes × num_classes`` confusion matrix (rows: true
class, columns: predicted class) in a state variable, updated with Ember ops
(the weighted one-hot rows of the labels times those of the predictions), so
they update inside a compiled ``fit`` step too. As in Keras 3 the counts are int32 by default (weights are
truncated to integers), ids outside ``[0, num_classes)`` and ``ignore_class``
are left out, and ``result()`` is the mean of ``tp / (tp + fp + fn)`` over
``target_class_ids`` among the classes that occur.

Example:
    >>> from ember.keras import metrics
    >>> iou = metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> round(float(iou([0, 0, 1, 1], [0, 1, 0, 1])), 4)  # class 0: 1 / (1 + 1 + 1)
    0.3333
    >>> round(float(metrics.BinaryIoU(threshold=0.3)([0, 1, 1], [0.1, 0.2, 0.9])), 4)
    0.5
"""
from __future__ import annotations

import ember

from .. import backend
from .metric import Metric, as_tensor


class IoU(Metric):
    """The IoU of the classes ``target_class_ids`` (averaged), from a running confusion matrix."""

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1):
        super().__init__(name, dtype or "int32")  # Keras counts in int32 by default
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.num_classes, self.target_class_ids = num_classes, list(target_class_ids)
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def _class_ids(self, values, sparse: bool):
        values = as_tensor(values)
        if not sparse:
            values = ember.argmax(values, self.axis)
        elif values.dtype.is_floating_point:  # Keras converts to the counts' integer dtype: truncation
            values = ember.trunc(values)
        return ember.reshape(ember.cast(values, "int64"), (-1,))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = self._class_ids(y_true, self.sparse_y_true), self._class_ids(y_pred, self.sparse_y_pred)
        weights = ember.ones(tuple(y_true.shape), dtype="float64") if sample_weight is None else \
            ember.broadcast_to(ember.reshape(as_tensor(sample_weight, "float64"), (-1,)) if
                               as_tensor(sample_weight).ndim else as_tensor(sample_weight, "float64"),
                               tuple(y_true.shape))
        if "int" in str(self.dtype):  # Keras casts the weights to the integer counts' dtype
            weights = ember.trunc(weights)
        keep = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            keep = keep & (y_true != self.ignore_class)
        weights = ember.where(keep, weights, ember.zeros_like(weights))
        # counts[i, j] = sum of the weights of samples with true class i and predicted class j: a product of
        # one-hot rows (N x C each, not N x C^2), so it traces and stays small for many samples.
        true_rows = ember.unsqueeze(weights, 1) * self._one_hot(y_true)
        counts = ember.matmul(ember.transpose(true_rows, 0, 1), self._one_hot(y_pred))
        self.total_cm.assign_add(ember.cast(counts, self.total_cm.dtype))

    def _one_hot(self, ids):
        classes = ember.arange(self.num_classes, dtype=ember.int64)
        return ember.cast(ember.unsqueeze(ids, 1) == ember.unsqueeze(classes, 0), "float64")

    def result(self):
        matrix = ember.cast(self.total_cm.value, "float32")
        true_positives = ember.diagonal(matrix)
        denominator = ember.sum(matrix, 0) + ember.sum(matrix, 1) - true_positives
        targets = ember.tensor(self.target_class_ids, dtype=ember.int64)
        true_positives, denominator = true_positives[targets], denominator[targets]
        valid = ember.cast(denominator > 1e-9, "float32")
        iou = ember.where(valid > 0, true_positives / (denominator + backend.epsilon()),
                          ember.zeros_like(denominator))
        return ember.sum(iou) / (ember.sum(valid) + backend.epsilon())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None, ignore_class: int | None = None,
                 sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes, list(range(num_classes)), name or "mean_io_u", dtype, ignore_class,
                         sparse_y_true, sparse_y_pred, axis)

    def get_config(self) -> dict:
        return {key: value for key, value in super().get_config().items() if key != "target_class_ids"}


class BinaryIoU(IoU):
    """IoU of two classes: predictions ``>= threshold`` are class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5, name: str | None = None, dtype=None):
        super().__init__(2, list(target_class_ids), name or "binary_io_u", dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        predicted = ember.cast(as_tensor(y_pred, "float32") >= self.threshold, "int64")
        super().update_state(y_true, predicted, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, unless ``sparse_y_pred``, class scores as predictions)."""

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, target_class_ids, name or "one_hot_io_u", dtype, ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {key: value for key, value in super().get_config().items() if key != "sparse_y_true"}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU with one-hot labels (and, unless ``sparse_y_pred``, class scores as predictions)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None, ignore_class: int | None = None,
                 sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, name or "one_hot_mean_io_u", dtype, ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {key: value for key, value in super().get_config().items() if key != "sparse_y_true"}
