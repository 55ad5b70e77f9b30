"""Keras metrics (``keras.metrics``): objects that accumulate over batches, and per-sample functions.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> metric = keras.metrics.SparseCategoricalAccuracy()
    >>> float(metric(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]])))
    0.5
    >>> keras.metrics.get("AUC").name, keras.metrics.get("mae").__name__
    ('auc', 'mean_absolute_error')
"""
from __future__ import annotations

import ember

from .. import losses as _losses
from .confusion import (AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,
                        TruePositives)
from .functions import (accuracy, binary_accuracy, categorical_accuracy, cosine_similarity, log_cosh, mae,
                        mape, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error, mse,
                        sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
                        top_k_categorical_accuracy)
from .metric import Mean, MeanMetricWrapper, Metric, Sum, as_numpy, as_result, as_tensor
from .scores import (F1Score, FBetaScore, PrecisionAtRecall, R2Score, RecallAtPrecision,
                     SensitivityAtSpecificity, SpecificityAtSensitivity)
from .iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .correlation import ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation


def _wrapper(class_name: str, fn, default_name: str, **defaults) -> type:
    """A MeanMetricWrapper subclass with Keras's name and constructor arguments."""
    def __init__(self, *args, name: str = default_name, dtype=None, **kwargs):
        options = {**defaults, **dict(zip(defaults, args)), **kwargs}
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **options)
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                    "__doc__": f"The running mean of ``{fn.__name__}``."})


Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")

CosineSimilarity = _wrapper("CosineSimilarity", cosine_similarity, "cosine_similarity", axis=-1)
LogCoshError = _wrapper("LogCoshError", log_cosh, "logcosh")


class RootMeanSquaredError(Mean):
    """sqrt of the running mean squared error."""

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        super().update_state(mean_squared_error(y_true, y_pred), sample_weight)

    def result(self):
        return ember.sqrt(super().result())


def _loss_metric(fn):
    """A loss function usable as a metric (``metrics=['binary_crossentropy']``), in Ember ops.

    Labels and predictions one rank apart are squeezed or expanded first, as a loss object
    does (Keras on torch refuses ``(batch,)`` labels against ``(batch, 1)`` predictions here).
    """
    def metric(y_true, y_pred, **kwargs):
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(as_tensor(y_true), as_tensor(y_pred, "float32"))
        return fn(y_true, y_pred, **kwargs)
    metric.__name__ = fn.__name__
    return metric


binary_crossentropy = _loss_metric(_losses.binary_crossentropy)
categorical_crossentropy = _loss_metric(_losses.categorical_crossentropy)
sparse_categorical_crossentropy = _loss_metric(_losses.sparse_categorical_crossentropy)
# Losses Keras also offers as metrics: the function, and the running mean of it.
hinge = _loss_metric(_losses.hinge)
squared_hinge = _loss_metric(_losses.squared_hinge)
categorical_hinge = _loss_metric(_losses.categorical_hinge)
kl_divergence = _loss_metric(_losses.kl_divergence)
poisson = _loss_metric(_losses.poisson)
mean_squared_logarithmic_error = _loss_metric(_losses.mean_squared_logarithmic_error)
huber = _loss_metric(_losses.huber)
binary_focal_crossentropy = _loss_metric(_losses.binary_focal_crossentropy)
categorical_focal_crossentropy = _loss_metric(_losses.categorical_focal_crossentropy)
Hinge = _wrapper("Hinge", hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _wrapper("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", poisson, "poisson")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                              from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False)

_CLASSES = {cls.__name__: cls for cls in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    RootMeanSquaredError, Precision, Recall, AUC, TruePositives, FalsePositives, TrueNegatives,
    FalseNegatives, Mean, Sum, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    CosineSimilarity, LogCoshError, F1Score, FBetaScore, MeanIoU, R2Score, PrecisionAtRecall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, Hinge, SquaredHinge, CategoricalHinge, KLDivergence,
    Poisson, MeanSquaredLogarithmicError, IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, PearsonCorrelation,
    ConcordanceCorrelation)}
_FUNCTIONS = {
    "accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy, "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mse, "mse": mse, "MSE": mse, "mean_absolute_error": mae, "mae": mae, "MAE": mae,
    "mean_absolute_percentage_error": mape, "mape": mape, "MAPE": mape,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "cosine_similarity": cosine_similarity, "log_cosh": log_cosh, "logcosh": log_cosh,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "kl_divergence": kl_divergence, "kld": kl_divergence, "KLD": kl_divergence, "poisson": poisson,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error, "huber": huber, "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy, "pearson_correlation": pearson_correlation,
    "concordance_correlation": concordance_correlation,
}
_OBJECTS = {"auc": AUC, "precision": Precision, "recall": Recall,
            "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError}


def get(identifier):
    """A metric object or function from a name, a config dict, a class, an instance or a callable."""
    if isinstance(identifier, Metric) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type):
        return identifier()
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        cls = _CLASSES.get(identifier) or _OBJECTS.get(identifier.lower())
        if cls is not None:
            return cls()
    raise ValueError(f"Unknown metric: {identifier!r}. Known names: {sorted(_FUNCTIONS)} and the "
                     f"classes {sorted(_CLASSES)}")


def deserialize(config, custom_objects: dict | None = None):
    """A metric from :func:`serialize`'s output (a name or a ``{"class_name", "config"}`` dict)."""
    if isinstance(config, dict) and "class_name" in config:
        from ..utils.serialization import get_registered_object
        cls = get_registered_object(config.get("registered_name") or config["class_name"], custom_objects) \
            or _CLASSES.get(config["class_name"])
        if cls is None:
            raise ValueError(f"Unknown metric class {config['class_name']!r}; known: {sorted(_CLASSES)}")
        return cls.from_config(config.get("config", {}))
    return get(config)


def serialize(metric) -> dict | str:
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", str(metric))
