"""``tf.math`` (``ember.math``): TensorFlow's math names over Ember's ops.

Elementwise comparisons keep TensorFlow's meaning here (``tf.math.equal`` is
elementwise; top-level ``ember.equal`` is PyTorch's whole-tensor test).

Example:
    >>> import ember as tf
    >>> x = tf.constant([3.0, 1.0, 2.0])
    >>> values, indices = tf.math.top_k(x, k=2)
    >>> values.tolist(), indices.tolist(), tf.math.equal(x, 1.0).tolist()
    ([3.0, 2.0], [0, 2], [False, True, False])
"""
from __future__ import annotations

import numpy

from ..ops import functions as F
from ..ops.creation import ones_like, zeros_like
from ..ops.functions import (  # noqa: F401  (TensorFlow names that are PyTorch's too)
    abs, add, cos, erf, exp, expm1, floor, ceil, log, log1p, logical_and, logical_not, logical_or,
    logical_xor, maximum, minimum, negative, pow, reciprocal, round, rsqrt, sigmoid, sign, sin, softplus,
    sqrt, square, tan, tanh)
from ..tensor import Tensor
from .dual import argmax, argmin, cumsum  # noqa: F401
from .nn_functions import l2_normalize, log_softmax, softmax  # noqa: F401
from .tensor_ops import (  # noqa: F401
    add_n, count_nonzero, divide, greater_equal, less_equal, multiply, reduce_all, reduce_any,
    reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum,
    reduce_variance, subtract)


def equal(x, y, name: str | None = None) -> Tensor:
    """Elementwise ``x == y`` (a bool tensor)."""
    return F.eq(x, y)


def not_equal(x, y, name: str | None = None) -> Tensor:
    return F.ne(x, y)


def greater(x, y, name: str | None = None) -> Tensor:
    return F.gt(x, y)


def less(x, y, name: str | None = None) -> Tensor:
    return F.lt(x, y)


def truediv(x, y, name: str | None = None) -> Tensor:
    return F.div(x, y)


def floordiv(x, y, name: str | None = None) -> Tensor:
    return F.floor_divide(x, y)


def floormod(x, y, name: str | None = None) -> Tensor:
    return F.remainder(x, y)


mod = floormod


def divide_no_nan(x, y, name: str | None = None) -> Tensor:
    """``x / y``, and 0 where ``y`` is 0."""
    denominator = F._tensor(y)
    safe = F.where(denominator == 0, ones_like(denominator), denominator)
    return F.where(denominator == 0, zeros_like(F.div(x, safe)), F.div(x, safe))


def squared_difference(x, y, name: str | None = None) -> Tensor:
    return F.square(F.sub(x, y))


def is_nan(x, name: str | None = None) -> Tensor:
    return F.isnan(x)


def is_inf(x, name: str | None = None) -> Tensor:
    return F.isinf(x)


def is_finite(x, name: str | None = None) -> Tensor:
    return F.isfinite(x)


def reduce_euclidean_norm(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    return F.sqrt(reduce_sum(F.square(input_tensor), axis, keepdims))


def top_k(input, k: int = 1, sorted: bool = True, name: str | None = None):
    """``(values, indices)`` of the ``k`` largest entries along the last axis (first index wins ties)."""
    x = F._tensor(input)
    # A stable sort of the negated values keeps the lower index first among equal values, as TensorFlow.
    order = numpy.argsort(-numpy.asarray(x.detach()), axis=-1, kind="stable")[..., :int(k)]
    indices = F._tensor(numpy.ascontiguousarray(order.astype(numpy.int32)))
    return F.take_along_dim(x, F.cast(indices, "int64"), -1), indices


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype="int32",
                     name: str | None = None) -> Tensor:
    """``(num_classes, num_classes)`` counts: rows are labels, columns predictions."""
    truth = numpy.asarray(F._tensor(labels)).astype(numpy.int64).ravel()
    guess = numpy.asarray(F._tensor(predictions)).astype(numpy.int64).ravel()
    size = int(num_classes) if num_classes is not None else int(max(truth.max(), guess.max())) + 1
    counts = numpy.zeros((size, size), dtype=numpy.float64)
    numpy.add.at(counts, (truth, guess), 1.0 if weights is None else numpy.asarray(weights).ravel())
    from ..backend import as_dtype
    return F._tensor(counts.astype(as_dtype(dtype).name))
