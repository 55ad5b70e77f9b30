"""``tf.nn``'s functions, reachable as ``ember.nn.relu``, ``ember.nn.softmax_cross_entropy_with_logits`` …

They sit beside PyTorch's ``ember.nn.Module`` and layers (``torch.nn`` has no
lower-case functions, so nothing clashes) and use TensorFlow's argument
names: ``axis``, ``labels``/``logits`` given by keyword, ``rate`` for dropout.
Losses return one value per example, as TensorFlow's do (take
``tf.reduce_mean`` of them).

Example:
    >>> import ember as tf
    >>> logits = tf.constant([[2.0, 0.0], [0.0, 3.0]])
    >>> loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits)
    >>> [round(v, 4) for v in loss.tolist()]
    [0.1269, 0.0486]
    >>> tf.nn.relu(tf.constant([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""
from __future__ import annotations

from ..errors import ShapeError
from ..ops import functions as F
from ..ops.creation import ones_like, zeros_like
from ..tensor import Tensor


def relu(features, name: str | None = None) -> Tensor:
    return F.relu(features)


def relu6(features, name: str | None = None) -> Tensor:
    return F.clamp(F._tensor(features), 0.0, 6.0)


def leaky_relu(features, alpha: float = 0.2, name: str | None = None) -> Tensor:
    x = F._tensor(features)
    return F.where(x > 0, x, x * alpha)


def elu(features, name: str | None = None) -> Tensor:
    x = F._tensor(features)
    return F.where(x > 0, x, F.expm1(F.minimum(x, zeros_like(x))))


def selu(features, name: str | None = None) -> Tensor:
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    x = F._tensor(features)
    return scale * F.where(x > 0, x, alpha * elu(x))


def gelu(features, approximate: bool = False, name: str | None = None) -> Tensor:
    return F.gelu(features, approximate="tanh" if approximate else "none")


def sigmoid(x, name: str | None = None) -> Tensor:
    return F.sigmoid(x)


def tanh(x, name: str | None = None) -> Tensor:
    return F.tanh(x)


def silu(features, beta: float = 1.0, name: str | None = None) -> Tensor:
    x = F._tensor(features)
    return x * F.sigmoid(x * beta) if beta != 1.0 else F.silu(x)


swish = silu


def softplus(features, name: str | None = None) -> Tensor:
    return F.softplus(features)


def softmax(logits, axis: int = -1, name: str | None = None) -> Tensor:
    return F.softmax(F._float(logits), axis)


def log_softmax(logits, axis: int = -1, name: str | None = None) -> Tensor:
    return F.log_softmax(F._float(logits), axis)


def l2_loss(t, name: str | None = None) -> Tensor:
    """sum(t²) / 2."""
    return F.sum(F.square(t)) / 2


def l2_normalize(x, axis=None, epsilon: float = 1e-12, name: str | None = None) -> Tensor:
    value = F._tensor(x)
    squares = F.sum(F.square(value), axis, keepdim=True) if axis is not None else F.sum(F.square(value))
    return value * F.rsqrt(F.maximum(squares, F._tensor(epsilon)))


def dropout(x, rate: float, noise_shape=None, seed=None, name: str | None = None) -> Tensor:
    """Zero each entry with probability ``rate`` and scale the rest by 1/(1-rate) (always active)."""
    from .random import uniform
    value = F._tensor(x)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    shape = tuple(value.shape) if noise_shape is None else tuple(
        value.shape[i] if s is None else int(s) for i, s in enumerate(noise_shape))
    keep = uniform(shape, dtype=value.dtype, seed=seed) >= rate
    return F.where(keep, value / (1.0 - rate), zeros_like(value))


def moments(x, axes, shift=None, keepdims: bool = False, name: str | None = None):
    """``(mean, variance)`` over ``axes``."""
    value = F._tensor(x)
    axes = tuple(axes)
    mean = F.mean(value, axes, keepdim=True)
    variance = F.mean(F.square(value - mean), axes, keepdim=keepdims)
    return (mean if keepdims else F.squeeze(mean, axes)), variance


def bias_add(value, bias, data_format=None, name: str | None = None) -> Tensor:
    x = F._tensor(value)
    if data_format in ("NCHW", "NCW", "NCDHW"):
        return x + F.reshape(F._tensor(bias), (-1,) + (1,) * (x.ndim - 2))
    return x + bias


# --- losses: one value per example --------------------------------------------------------------
def _pair(op: str, labels, logits):
    if labels is None or logits is None:
        raise ValueError(f"{op}: give both labels= and logits=")
    labels, logits = F._tensor(labels), F._float(logits)
    return labels, logits


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name: str | None = None) -> Tensor:
    """Elementwise ``max(x, 0) - x·z + log(1 + exp(-|x|))`` (stable for any logit)."""
    labels, logits = _pair("sigmoid_cross_entropy_with_logits", labels, logits)
    if tuple(labels.shape) != tuple(logits.shape):
        raise ShapeError(f"sigmoid_cross_entropy_with_logits: labels {tuple(labels.shape)} and logits "
                         f"{tuple(logits.shape)} must have the same shape")
    labels = F.cast(labels, logits.dtype)
    return F.relu(logits) - logits * labels + F.log1p(F.exp(-F.abs(logits)))


def softmax_cross_entropy_with_logits(labels=None, logits=None, axis: int = -1, name: str | None = None) -> Tensor:
    """``-sum(labels · log_softmax(logits))`` along ``axis`` (labels: a distribution per example)."""
    labels, logits = _pair("softmax_cross_entropy_with_logits", labels, logits)
    if tuple(labels.shape) != tuple(logits.shape):
        raise ShapeError(f"softmax_cross_entropy_with_logits: labels {tuple(labels.shape)} and logits "
                         f"{tuple(logits.shape)} must have the same shape")
    return -F.sum(F.cast(labels, logits.dtype) * F.log_softmax(logits, axis), axis)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name: str | None = None) -> Tensor:
    """``-log_softmax(logits)[label]`` per example (labels: class ids, one rank less than logits)."""
    labels, logits = _pair("sparse_softmax_cross_entropy_with_logits", labels, logits)
    if tuple(labels.shape) != tuple(logits.shape[:-1]):
        raise ShapeError(f"sparse_softmax_cross_entropy_with_logits: labels {tuple(labels.shape)} must have "
                         f"the shape of logits {tuple(logits.shape)} without its last dimension")
    if labels.dtype.is_floating_point:
        raise ValueError("sparse_softmax_cross_entropy_with_logits: labels must be integer class ids")
    picked = F.take_along_dim(F.log_softmax(logits, -1), F.unsqueeze(F.cast(labels, "int64"), -1), -1)
    return -F.squeeze(picked, -1)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=1.0, name: str | None = None) -> Tensor:
    labels, logits = _pair("weighted_cross_entropy_with_logits", labels, logits)
    labels = F.cast(labels, logits.dtype)
    log_weight = 1 + (pos_weight - 1) * labels
    return (1 - labels) * logits + log_weight * (F.log1p(F.exp(-F.abs(logits))) + F.relu(-logits))


__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish", "softplus",
           "softmax", "log_softmax", "l2_loss", "l2_normalize", "dropout", "moments", "bias_add",
           "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits", "weighted_cross_entropy_with_logits"]
