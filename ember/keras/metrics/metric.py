"""The Metric base class and the averaging metrics built on it.

Metrics accumulate in NumPy float64 outside the training graph (they need no
gradient), so a compiled train step only has to return its predictions.
``update_state`` adds a batch, ``result`` reads the running value,
``reset_state`` starts over (``fit`` does at each epoch).

Example:
    >>> from ember.keras import metrics
    >>> mean = metrics.Mean()
    >>> mean.update_state([1.0, 3.0]); mean.update_state([5.0], sample_weight=[2.0])
    >>> float(mean.result())  # (1 + 3 + 2 * 5) / (1 + 1 + 2)
    3.5
    >>> mae = metrics.MeanMetricWrapper(metrics.mean_absolute_error, name="mae")
    >>> float(mae([[0.0], [1.0]], [[0.5], [0.5]]))
    0.5
"""
from __future__ import annotations

import numpy

from .. import backend


def as_numpy(value) -> numpy.ndarray:
    """A NumPy array from a tensor (detached), an array or a list."""
    if hasattr(value, "detach"):
        value = value.detach()
    return numpy.asarray(value)


class Metric:
    """Base class: override ``update_state``, ``result`` and ``reset_state``."""

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

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


class Mean(Metric):
    """The (weighted) mean of all values seen."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None) -> None:
        values = as_numpy(values).astype(numpy.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += float(values.size)
            return
        weights = numpy.broadcast_to(_align(as_numpy(sample_weight).astype(numpy.float64), values.ndim),
                                     values.shape)
        self.total += float((values * weights).sum())
        self.count += float(weights.sum())

    def result(self):
        return numpy.float32(self.total / self.count) if self.count else numpy.float32(0.0)


def _align(weights: numpy.ndarray, ndim: int) -> numpy.ndarray:
    """Sample weights of shape (batch,) against values of shape (batch, ...)."""
    while weights.ndim > ndim and weights.shape[-1] == 1:
        weights = weights[..., 0]
    return weights.reshape(weights.shape + (1,) * (ndim - weights.ndim))


class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        values = as_numpy(values).astype(numpy.float64)
        if sample_weight is not None:
            values = values * _align(as_numpy(sample_weight).astype(numpy.float64), values.ndim)
        self.total += float(values.sum())

    def result(self):
        return numpy.float32(self.total)


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` (NumPy in, NumPy out)."""

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values = self._fn(as_numpy(y_true), as_numpy(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}
