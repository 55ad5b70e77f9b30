"""The Metric base class and the averaging metrics built on it.

A metric's state lives in non-trainable :class:`keras.Variable` s made with
``add_variable`` and is updated with Ember ops (``assign_add``), as Keras 3
does, so ``update_state`` also works inside an ``ember.function`` /
``tf.function`` trace: the compiled call updates the state each time it
runs. ``update_state`` adds a batch, ``result`` reads the running value as a
0-d tensor (``float(...)`` and ``.numpy()`` both work), ``reset_state``
zeroes the variables (``fit`` does at each epoch).

Example:
    >>> from ember.keras import metrics
    >>> mean = metrics.Mean()
    >>> mean.update_state([1.0, 3.0]); mean.update_state([5.0], sample_weight=[2.0])
    >>> float(mean.result())  # (1 + 3 + 2 * 5) / (1 + 1 + 2)
    3.5
    >>> mean.result().numpy().dtype, [v.name for v in mean.variables]
    (dtype('float32'), ['total', 'count'])
    >>> mae = metrics.MeanMetricWrapper(metrics.mean_absolute_error, name="mae")
    >>> float(mae([[0.0], [1.0]], [[0.5], [0.5]]))
    0.5
"""
from __future__ import annotations

import numpy

import ember

from .. import backend


def as_numpy(value) -> numpy.ndarray:
    """A NumPy array from a tensor (detached), an array or a list."""
    if hasattr(value, "detach"):
        value = value.detach()
    return numpy.asarray(value)


def as_tensor(value, dtype=None) -> ember.Tensor:
    """An Ember tensor (cut from the graph: metrics need no gradient), cast to ``dtype`` if given."""
    tensor = value.detach() if isinstance(value, ember.Tensor) else ember.as_tensor(numpy.asarray(value))
    return tensor if dtype is None or tensor.dtype == ember.as_dtype(dtype) else ember.cast(tensor, dtype)


def as_result(value, dtype: str = "float32") -> ember.Tensor:
    """A metric's ``result()``: an Ember tensor, as Keras returns a backend tensor."""
    return as_tensor(value, dtype)


class Metric:
    """Base class: override ``update_state`` and ``result``; state made with ``add_variable``."""

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()
        self._variables: list = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation: str = "sum",
                     name: str | None = None):
        """A non-trainable state variable, zeroed again by the default ``reset_state``."""
        from ember.graph.init_scope import init_scope
        from ..variables import Variable
        with init_scope():  # a metric first made while tracing must hold a real array
            variable = Variable(initializer, shape=tuple(shape), dtype=dtype or self.dtype, trainable=False,
                                name=name)
        self._variables.append(variable)
        return variable

    add_weight = add_variable

    @property
    def variables(self) -> list:
        return list(self._variables)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self) -> None:
        """Every state variable back to zero (Keras's default)."""
        for variable in self._variables:
            variable.assign(numpy.zeros(tuple(variable.shape), dtype=variable.dtype.name))

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the running result (Keras 3's behaviour)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def same_rank(first, second):
    """Keras's squeeze_or_expand_to_same_rank for two tensors whose ranks differ by one."""
    if first.ndim == second.ndim + 1 and first.shape[-1] == 1:
        if second.ndim == 1:
            return first, ember.unsqueeze(second, -1)
        return ember.squeeze(first, -1), second
    if second.ndim == first.ndim + 1 and second.shape[-1] == 1:
        if first.ndim == 1:
            return ember.unsqueeze(first, -1), second
        return first, ember.squeeze(second, -1)
    return first, second


def samplewise(values, sample_weight, dtype, reduce=ember.mean):
    """Keras's reduce_to_samplewise_values: one (weighted) value per sample, and the weights.

    ``reduce`` folds each sample's values (and weights) into one: the mean for ``Mean``, the
    sum for ``Sum``.
    """
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        values, sample_weight = same_rank(values, sample_weight)
        if values.ndim > sample_weight.ndim:
            values = reduce(values, dim=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = ember.broadcast_to(sample_weight, tuple(values.shape))
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce(sample_weight, dim=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = reduce(values, dim=tuple(range(1, values.ndim)))
    return values, sample_weight


def divide_no_nan(numerator, denominator):
    """``numerator / denominator``, 0 where the denominator is 0 (no warning, no NaN)."""
    empty = denominator == 0
    return ember.where(empty, ember.zeros_like(numerator), numerator / ember.where(empty, 1.0, denominator))


class Mean(Metric):
    """The (weighted) mean of all values seen."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name, dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values, sample_weight=None) -> None:
        values, sample_weight = samplewise(values, sample_weight, self.dtype)
        self.total.assign_add(ember.sum(values))
        if sample_weight is not None:
            self.count.assign_add(ember.sum(sample_weight))
        else:
            self.count.assign_add(numpy.asarray(values.shape[0] if values.ndim else 1, dtype=self.dtype))

    def result(self):
        return divide_no_nan(self.total.value, self.count.value)


class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name, dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = samplewise(values, sample_weight, self.dtype, reduce=ember.sum)
        self.total.assign_add(ember.sum(values))

    def result(self):
        return self.total.value.clone()


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` written in Ember ops."""

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values = self._fn(as_tensor(y_true), as_tensor(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}
