"""Numeric preprocessing layers: Rescaling, Normalization (``adapt``), Discretization, CategoryEncoding.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> norm = keras.layers.Normalization()
    >>> norm.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> norm(np.array([[2.0, 20.0]])).tolist()
    [[0.0, 0.0]]
    >>> keras.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-1.0, 0.5, 2.0]])).tolist()
    [[0, 1, 2]]
    >>> keras.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(np.array([[0, 1], [3, 3]])).tolist()
    [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
"""
from __future__ import annotations

import numpy

import ember
from ember.graph.state import is_symbolic_tensor

from .. import backend
from .layer import Layer


def adapt_batches(data):
    """``adapt``'s data as a list of NumPy batches: an array, a tensor, or an iterable of batches."""
    if isinstance(data, ember.Tensor) or hasattr(data, "__array__") and not hasattr(data, "__next__"):
        return [numpy.asarray(data.detach() if isinstance(data, ember.Tensor) else data)]
    if hasattr(data, "__iter__"):
        batches = [numpy.asarray(batch[0] if isinstance(batch, tuple) else batch) for batch in data]
        if not batches:
            raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch.")
        return batches
    raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports NumPy arrays, tensors and "
                    "iterables of batches.")


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1 / 255)`` for pixels)."""

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = ember.cast(inputs, ember.as_dtype(self.dtype))
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """``(x - mean) / sqrt(variance)`` per feature (``axis``); learn both with ``adapt(data)``.

    ``invert=True`` maps normalized values back. The statistics are
    non-trainable weights ``mean``, ``variance`` and ``count``, as in Keras.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be set. Got "
                             f"mean: {mean} and variance: {variance}")
        self.axis = () if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        self.invert = invert
        self.input_mean, self.input_variance = mean, variance

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        self._keep = tuple(sorted(a % rank for a in self.axis))
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(f"All `axis` values to be kept must have a known shape. Got axis: {self.axis}, "
                             f"input shape: {input_shape}")
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(rank))
        if self.input_mean is not None:
            self._fixed = [ember.tensor(numpy.broadcast_to(numpy.asarray(value, "float32"), self._broadcast))
                           for value in (self.input_mean, self.input_variance)]
            return
        shape = tuple(input_shape[a] for a in self._keep)
        self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="mean")
        self.variance = self.add_weight(shape=shape, initializer="ones", trainable=False, name="variance")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count", dtype="int32")

    def adapt(self, data) -> None:
        """Compute the mean and variance of ``data`` over every axis but ``axis``."""
        batches = adapt_batches(data)
        if not self.built:
            self.build(batches[0].shape)
            self.built = True
        values = numpy.concatenate([batch.astype(numpy.float64) for batch in batches])
        reduce = tuple(a for a in range(values.ndim) if a not in self._keep)
        # Keras counts samples only when adapting on an iterable of batches (one array leaves 0).
        count = 0 if not isinstance(data, (list, tuple)) and len(batches) == 1 else \
            values.size // max(self.mean.numel(), 1)
        with ember.no_grad():
            self.mean.copy_(ember.tensor(values.mean(reduce).astype("float32")))
            self.variance.copy_(ember.tensor(values.var(reduce).astype("float32")))
            self.count.copy_(ember.tensor(numpy.int32(count)))
        self._adapted = True

    def set_weights(self, values) -> None:
        """Adapted statistics from elsewhere (another layer, a saved model) count as adapted."""
        super().set_weights(values)
        self._adapted = True

    def _statistics(self):
        if self.input_mean is not None:
            return self._fixed
        if not getattr(self, "_adapted", False):
            raise ValueError(f"Normalization layer {self.name!r} has not been adapted: call "
                             "`layer.adapt(data)` first (or pass `mean` and `variance`, or set adapted weights).")
        return [ember.reshape(weight, self._broadcast) for weight in (self.mean, self.variance)]

    def call(self, inputs):
        mean, variance = self._statistics()
        inputs = ember.cast(inputs, ember.as_dtype(self.dtype)) if not inputs.is_floating_point() else inputs
        scale = ember.clamp(ember.sqrt(variance), min=backend.epsilon())
        return mean + inputs * scale if self.invert else (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        def listed(value):
            return None if value is None else numpy.asarray(value).tolist()
        axis = self.axis[0] if len(self.axis) == 1 else (list(self.axis) or None)
        return {**super().get_config(), "axis": axis, "invert": self.invert, "mean": listed(self.input_mean),
                "variance": listed(self.input_variance)}


class Discretization(Layer):
    """Bucket ids of values between ``bin_boundaries`` (``adapt`` finds ``num_bins`` quantile boundaries)."""

    def __init__(self, bin_boundaries=None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, **kwargs):
        kwargs.setdefault("dtype", "int64" if output_mode == "int" else None)
        super().__init__(**kwargs)
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Invalid value for argument `output_mode`. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("Discretization(sparse=True) is not supported by Ember")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon, self.output_mode, self.sparse = num_bins, epsilon, output_mode, sparse

    def adapt(self, data) -> None:
        """Boundaries at the ``num_bins`` quantiles of ``data`` (exact quantiles; Keras approximates)."""
        if self.num_bins is None:
            raise ValueError("`num_bins` must be set to call adapt()")
        values = numpy.concatenate([batch.reshape(-1) for batch in adapt_batches(data)]).astype(numpy.float64)
        quantiles = numpy.quantile(values, numpy.linspace(0, 1, self.num_bins + 1)[1:-1])
        self.bin_boundaries = quantiles.astype(numpy.float32).tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization layer {self.name!r} has no bin boundaries: pass "
                             "`bin_boundaries` or call `adapt(data)` first.")
        # bucketize, not NumPy: the layer also runs inside fit's compiled (traced) step
        values = ember.as_tensor(inputs)
        if not ember.is_floating_point(values):
            values = ember.cast(values, ember.float64)
        ids = ember.bucketize(values, ember.tensor(self.bin_boundaries, dtype=values.dtype), right=True)
        if self.output_mode == "int":
            return ember.cast(ids, self.dtype)
        return encode_categories(ids, len(self.bin_boundaries) + 1, self.output_mode)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        return _encoded_shape(input_shape, len(self.bin_boundaries or []) + 1, self.output_mode)

    def get_config(self) -> dict:
        config = {key: value for key, value in super().get_config().items() if key != "trainable"}  # as Keras
        return {**config, "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse}


def _encoded_shape(input_shape, num_tokens: int, output_mode: str):
    shape = tuple(input_shape)
    if output_mode == "one_hot" and (len(shape) == 1 or shape[-1] != 1):
        return shape + (num_tokens,)
    return (shape[:-1] if len(shape) > 1 else shape) + (num_tokens,)


def _check_category_range(array, num_tokens: int) -> None:
    if array.size and (array.min() < 0 or array.max() >= num_tokens):
        raise ValueError(f"Input values must be in the range 0 <= values < num_tokens with "
                         f"num_tokens={num_tokens}; received values from {array.min()} to {array.max()}")


def encode_categories(ids, num_tokens: int, output_mode: str, count_weights=None):
    """One-hot, multi-hot or count vectors of integer ``ids`` (Keras's CategoryEncoding rules)."""
    ids = ember.cast(ids, ember.int64)
    if not is_symbolic_tensor(ids):  # checked on concrete values; a traced step has none to check
        _check_category_range(numpy.asarray(ids.detach()), num_tokens)
    if output_mode == "one_hot" and (ids.ndim == 0 or ids.shape[-1] != 1):
        ids = ember.unsqueeze(ids, -1)
    if ids.ndim == 1:
        ids = ember.unsqueeze(ids, -1)
    one_hot = ember.cast(ember.unsqueeze(ids, -1) == ember.arange(num_tokens), ember.float32)
    if count_weights is not None:
        one_hot = one_hot * ember.unsqueeze(ember.as_tensor(count_weights), -1)
    counts = ember.sum(one_hot, -2)
    if output_mode in ("multi_hot", "one_hot") and count_weights is None:
        return ember.cast(counts > 0, ember.float32)
    return counts


class CategoryEncoding(Layer):
    """Integer ids → ``one_hot``, ``multi_hot`` or ``count`` vectors of size ``num_tokens``."""

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("CategoryEncoding(sparse=True) is not supported by Ember")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def call(self, inputs, count_weights=None):
        return encode_categories(inputs, self.num_tokens, self.output_mode, count_weights)

    def compute_output_shape(self, input_shape):
        return _encoded_shape(input_shape, self.num_tokens, self.output_mode)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode,
                "sparse": self.sparse}
