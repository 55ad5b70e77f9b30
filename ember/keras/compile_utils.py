"""What ``compile`` keeps: the loss and the metrics, matched to the model's outputs.

``loss`` and ``metrics`` may be given once (applied to every output), as a
list (one per output) or as a dict keyed by output name. ``'accuracy'``
becomes binary, categorical or sparse categorical accuracy once the first
batch shows the labels' and predictions' shapes, as in Keras.

Example:
    >>> import numpy as np, ember
    >>> losses = CompileLoss("mse", output_names=["out"])
    >>> total, per_output = losses([ember.tensor([[1.0]])], [ember.tensor([[3.0]])])
    >>> float(total)
    4.0
    >>> metrics = CompileMetrics(["accuracy"], output_names=["out"])
    >>> metrics.update_state([np.array([1, 0])], [np.array([[0.1, 0.9], [0.2, 0.8]])])
    >>> metrics.result()
    {'accuracy': 0.5}
"""
from __future__ import annotations

from . import losses as losses_module
from . import metrics as metrics_module


def _per_output(spec, output_names: list[str], what: str) -> list:
    """One entry per output from a single spec, a list, or a dict keyed by output name."""
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"The {what} dict has keys {sorted(unknown)} that are not outputs of the "
                             f"model; its outputs are {output_names}")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and len(output_names) > 1 and what == "loss":
        if len(spec) != len(output_names):
            raise ValueError(f"The model has {len(output_names)} outputs but {len(spec)} losses were given")
        return list(spec)
    return [spec] * len(output_names)


def flatten_targets(values, output_names: list[str]) -> list:
    """Labels or predictions as a list in output order (dicts are read by output name)."""
    if isinstance(values, dict):
        return [values[name] for name in output_names]
    if isinstance(values, (list, tuple)) and len(output_names) > 1:
        return list(values)
    return [values]


class CompileLoss:
    """The total training loss: weighted per-output losses, summed."""

    def __init__(self, loss, loss_weights=None, output_names: list[str] | None = None):
        self.spec, self.output_names = loss, list(output_names or ["output"])
        self.losses = [_as_loss_object(item) for item in _per_output(loss, self.output_names, "loss")]
        if isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != len(self.output_names):
                raise ValueError(f"loss_weights has {len(loss_weights)} entries for {len(self.output_names)} outputs")
            weights = list(loss_weights)
        else:
            weights = _per_output(loss_weights, self.output_names, "loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]

    def __call__(self, y_true: list, y_pred: list, sample_weight=None):
        """``(total, [loss of each output])`` for lists of labels and predictions."""
        total, parts = None, []
        for loss, weight, target, prediction in zip(self.losses, self.weights, y_true, y_pred):
            if loss is None:
                parts.append(None)
                continue
            value = loss(target, prediction, sample_weight)
            parts.append(value)
            total = value * weight if total is None else total + value * weight
        if total is None:
            raise ValueError("No loss to compute: pass `loss=` to compile()")
        return total, parts


def _as_loss_object(identifier):
    loss = losses_module.get(identifier)
    if loss is None or isinstance(loss, losses_module.Loss):
        return loss
    return losses_module.LossFunctionWrapper(loss)


class CompileMetrics:
    """The compiled metrics of every output; built on the first batch."""

    def __init__(self, metrics, weighted_metrics=None, output_names: list[str] | None = None):
        self.output_names = list(output_names or ["output"])
        self._specs = (metrics, weighted_metrics)
        self.metrics: list = []
        self._plan: list = []  # (metric, output index, weighted)
        self.built = False

    def build(self, y_true: list, y_pred: list) -> None:
        for weighted, spec in ((False, self._specs[0]), (True, self._specs[1])):
            if spec is None:
                continue
            for index, items in enumerate(_per_output(spec, self.output_names, "metrics")):
                for item in (items if isinstance(items, (list, tuple)) else [items] if items else []):
                    metric = _resolve(item, y_true[index], y_pred[index])
                    if len(self.output_names) > 1:
                        metric.name = f"{self.output_names[index]}_{metric.name}"
                    self.metrics.append(metric)
                    self._plan.append((metric, index, weighted))
        self.built = True

    def update_state(self, y_true: list, y_pred: list, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        for metric, index, weighted in self._plan:
            metric.update_state(y_true[index], y_pred[index], sample_weight if weighted else None)

    def result(self) -> dict:
        return {metric.name: float(metric.result()) for metric in self.metrics}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def _resolve(identifier, y_true, y_pred):
    """A metric object for ``identifier``, resolving ``'accuracy'`` from the shapes (Keras's rule)."""
    name = identifier if isinstance(identifier, str) else None
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
        if pred_shape[-1:] == (1,) or len(pred_shape) == 1:
            function = metrics_module.binary_accuracy
        elif len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1] > 1):
            function = metrics_module.sparse_categorical_accuracy
        else:
            function = metrics_module.categorical_accuracy
        return metrics_module.MeanMetricWrapper(function, name=identifier)
    metric = metrics_module.get(identifier)
    if not isinstance(metric, metrics_module.Metric):
        metric = metrics_module.MeanMetricWrapper(metric, name=name or getattr(metric, "__name__", None))
    elif name is not None:
        metric.name = name
    return metric

