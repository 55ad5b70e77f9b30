"""``keras.ops``'s neural-network and core functions (activations, losses, one_hot, casting …).

Keras's defaults hold: ``gelu`` is the tanh approximation unless
``approximate=False``, ``leaky_relu``'s slope is 0.2, ``one_hot`` is float32,
the cross-entropies clip probabilities to ``[1e-7, 1 - 1e-7]`` and return one
value per example.
"""
from __future__ import annotations

import builtins

import numpy

import ember
from ember.ops import functions as F

from ...tf_compat import tensor_ops
from .numpy_ops import _t, convert_to_tensor

_EPSILON = 1e-7


# --- activations --------------------------------------------------------------------------------
def relu(x) -> ember.Tensor:
    return F.relu(_t(x))


def relu6(x) -> ember.Tensor:
    return F.clamp(_t(x), 0.0, 6.0)


def sigmoid(x) -> ember.Tensor:
    return F.sigmoid(_t(x))


def hard_sigmoid(x) -> ember.Tensor:
    return relu6(_t(x) + 3.0) / 6.0


def hard_silu(x) -> ember.Tensor:
    return _t(x) * hard_sigmoid(x)


hard_swish = hard_silu


def log_sigmoid(x) -> ember.Tensor:
    return -F.softplus(-_t(x))


def silu(x) -> ember.Tensor:
    return F.silu(_t(x))


swish = silu


def softplus(x) -> ember.Tensor:
    return F.softplus(_t(x))


def softsign(x) -> ember.Tensor:
    value = _t(x)
    return value / (F.abs(value) + 1.0)


def tanh(x) -> ember.Tensor:
    return F.tanh(_t(x))


def elu(x, alpha: float = 1.0) -> ember.Tensor:
    value = _t(x)
    # expm1 of min(x, 0): the unused branch never overflows
    return F.where(value > 0, value, alpha * F.expm1(F.minimum(value, convert_to_tensor(0.0, value.dtype))))


def selu(x) -> ember.Tensor:
    return 1.0507009873554805 * elu(x, 1.6732632423543772)


def leaky_relu(x, negative_slope: float = 0.2) -> ember.Tensor:
    value = _t(x)
    return F.where(value > 0, value, value * negative_slope)


def gelu(x, approximate: bool = True) -> ember.Tensor:
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


def softmax(x, axis: int = -1) -> ember.Tensor:
    return F.softmax(F._float(_t(x)), axis)


def log_softmax(x, axis: int = -1) -> ember.Tensor:
    return F.log_softmax(F._float(_t(x)), axis)


# --- encodings, normalisation ----------------------------------------------------------------------
def one_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False) -> ember.Tensor:
    return tensor_ops.one_hot(_t(x), num_classes, axis=axis, dtype=dtype or "float32")


def multi_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False) -> ember.Tensor:
    hot = one_hot(x, num_classes, dtype=dtype)
    return tensor_ops.reduce_max(hot, axis=-2) if _t(x).ndim > 1 else tensor_ops.reduce_max(hot, axis=0)


def normalize(x, axis: int = -1, order: int = 2, epsilon=None) -> ember.Tensor:
    value = _t(x)
    if order == 2:
        squares = F.sum(F.square(value), axis, keepdim=True)
        return value * F.rsqrt(F.maximum(squares, convert_to_tensor(epsilon or 1e-12, value.dtype)))
    norms = F.sum(F.abs(value) ** order, axis, keepdim=True) ** (1.0 / order)
    return value / F.maximum(norms, convert_to_tensor(epsilon or 1e-12, value.dtype))


def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    value = F._float(_t(x))
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = F.mean(value, axes, keepdim=True)
    variance = F.mean(F.square(value - mean), axes, keepdim=keepdims)
    return (mean if keepdims else F.squeeze(mean, axes)), variance


# --- losses (one value per example) --------------------------------------------------------------------
def _clip_probabilities(output):
    return F.clamp(output, _EPSILON, 1.0 - _EPSILON)


def binary_crossentropy(target, output, from_logits: bool = False) -> ember.Tensor:
    """Elementwise binary cross-entropy (Keras clips probabilities to [1e-7, 1 - 1e-7])."""
    target, output = F._float(_t(target)), F._float(_t(output))
    if from_logits:
        return F.relu(output) - output * target + F.log1p(F.exp(-F.abs(output)))
    output = _clip_probabilities(output)
    return -(target * F.log(output) + (1.0 - target) * F.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> ember.Tensor:
    target, output = F._float(_t(target)), F._float(_t(output))
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        return -F.sum(target * F.log_softmax(output, axis), axis)
    output = output / F.sum(output, axis, keepdim=True)
    return -F.sum(target * F.log(_clip_probabilities(output)), axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> ember.Tensor:
    target, output = _t(target), F._float(_t(output))
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = F.squeeze(target, -1)
    hot = tensor_ops.one_hot(F.cast(target, "int64"), output.shape[axis], dtype=output.dtype)
    return categorical_crossentropy(hot, output, from_logits, axis)


# --- core ---------------------------------------------------------------------------------------------
def cast(x, dtype) -> ember.Tensor:
    return F.cast(_t(x), ember.as_dtype(dtype))


def convert_to_numpy(x) -> numpy.ndarray:
    return numpy.array(_t(x).detach())


def stop_gradient(variable) -> ember.Tensor:
    return _t(variable).detach()


def shape(x) -> tuple:
    """The static shape as a tuple of ints (Keras 3's ``ops.shape``)."""
    return tuple(_t(x).shape)


def dtype(x) -> str:
    return _t(x).dtype.name


def is_tensor(x) -> bool:
    return isinstance(x, ember.Tensor)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()`` (eager; inside ember.function use ember.cond)."""
    return true_fn() if bool(pred) else false_fn()


def slice(inputs, start_indices, shape) -> ember.Tensor:  # noqa: A001
    """The block of ``shape`` starting at ``start_indices``."""
    return _t(inputs)[tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))]


def fori_loop(lower: int, upper: int, body_fun, init_val):
    value = init_val
    for index in range(int(lower), int(upper)):
        value = body_fun(index, value)
    return value
