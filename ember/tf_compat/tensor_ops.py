"""TensorFlow's tensor functions that PyTorch's namespace lacks (``tf.constant``, ``tf.reduce_sum`` …).

Each is a few lines over Ember's public ops: TensorFlow's argument names
(``axis``, ``keepdims``, ``depth``) are translated to PyTorch's here, so
gradients come from the primitives underneath. TensorFlow's dtype rules for
Python values hold where tutorials see them: Python floats are float32 and
Python ints int32 (``tf.constant(1).dtype`` is ``int32``).

Example:
    >>> import ember as tf
    >>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> tf.reduce_sum(x, axis=1).tolist(), tf.reduce_mean(x).item(), tf.shape(x).tolist()
    ([3.0, 7.0], 2.5, [2, 2])
    >>> tf.one_hot([0, 2], depth=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""
from __future__ import annotations

import builtins
import numbers

import numpy

from ..backend import as_dtype
from ..errors import DTypeError, EmberValueError
from ..ops import functions as F
from ..ops.creation import arange, tensor as _tensor_from
from ..tensor import Tensor


def _scalar(value, dtype) -> Tensor:
    """A 0-d tensor of ``dtype`` holding a Python number."""
    return _tensor_from(numpy.asarray(value, dtype=as_dtype(dtype).name))


# --- creation ----------------------------------------------------------------------------
def _python_array(value) -> numpy.ndarray:
    """NumPy's array of ``value`` with TensorFlow's defaults for Python numbers (float32, int32)."""
    array = numpy.asarray(value)
    if isinstance(value, numpy.ndarray) or isinstance(value, numpy.generic):
        return array
    if array.dtype == numpy.float64:
        return array.astype(numpy.float32)
    if array.dtype == numpy.int64:
        return array.astype(numpy.int32)
    return array


def constant(value, dtype=None, shape=None, name: str | None = None) -> Tensor:
    """A tensor holding ``value`` (``tf.constant``); a scalar with ``shape`` fills that shape.

    Example:
        >>> import ember as tf
        >>> tf.constant(1).dtype, tf.constant([1.5]).dtype, tf.constant(0.0, shape=(2, 2)).shape
        (ember.int32, ember.float32, (2, 2))
    """
    if isinstance(value, Tensor):
        result = value.detach().clone()
    else:
        array = _python_array(value)
        result = _tensor_from(array.astype(as_dtype(dtype).name) if dtype is not None else array)
    if dtype is not None and result.dtype != as_dtype(dtype):
        result = F.cast(result, as_dtype(dtype))
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        result = F.broadcast_to(result, shape) if result.numel() == 1 else F.reshape(result, shape)
        result = result.clone()
    return result


def convert_to_tensor(value, dtype=None, dtype_hint=None, name: str | None = None) -> Tensor:
    """``value`` as a tensor; a tensor comes back as it is (``tf.convert_to_tensor``)."""
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != as_dtype(dtype):
            raise DTypeError(f"convert_to_tensor: tensor has dtype {value.dtype.name}, but dtype="
                             f"{as_dtype(dtype).name} was requested (use ember.cast to convert)")
        return value
    return constant(value, dtype=dtype if dtype is not None else _hint(value, dtype_hint))


def _hint(value, dtype_hint):
    if dtype_hint is None:
        return None
    kind = numpy.asarray(value).dtype.kind
    return dtype_hint if kind in "iuf" and (kind != "f" or as_dtype(dtype_hint).is_floating_point) else None


def range(start, limit=None, delta=1, dtype=None, name: str | None = None) -> Tensor:  # noqa: A001
    """``[start, limit)`` by ``delta``, as ``tf.range`` (int32 for ints, float32 for floats).

    ``ember.range`` follows TensorFlow: PyTorch's ``torch.range`` (deprecated,
    end-inclusive) has no Ember twin; use ``ember.arange``.

    Example:
        >>> import ember as tf
        >>> tf.range(5).tolist(), tf.range(1, 2, 0.5).tolist()
        ([0, 1, 2, 3, 4], [1.0, 1.5])
    """
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    if dtype is None:
        dtype = "float32" if builtins.any(isinstance(v, float) or
                                          (isinstance(v, Tensor) and v.dtype.is_floating_point)
                                          for v in values) else "int32"
    values = [v.item() if isinstance(v, Tensor) else v for v in values]
    return arange(*values, dtype=as_dtype(dtype))


def fill(dims, value, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with ``value``."""
    return constant(value, shape=tuple(int(d) for d in dims))


def identity(input, name: str | None = None) -> Tensor:
    """``input`` itself, as a new tensor (gradients pass through)."""
    return F.clone(F._tensor(input))


def stop_gradient(input, name: str | None = None) -> Tensor:
    """``input`` cut from the graph: no gradient flows back through it."""
    return F._tensor(input).detach()


# --- shape queries -----------------------------------------------------------------------
def shape(input, out_type="int32", name: str | None = None) -> Tensor:
    """The shape as a 1-D integer tensor (``tf.shape``; ``x.shape`` is the Python tuple)."""
    return _tensor_from(numpy.asarray(F._tensor(input).shape, dtype=as_dtype(out_type).name))


def size(input, out_type="int32", name: str | None = None) -> Tensor:
    """The number of elements, as a scalar integer tensor."""
    return _tensor_from(numpy.asarray(F._tensor(input).numel(), dtype=as_dtype(out_type).name))


def rank(input, name: str | None = None) -> Tensor:
    """The number of dimensions, as a scalar int32 tensor."""
    return _tensor_from(numpy.asarray(F._tensor(input).ndim, dtype=numpy.int32))


def expand_dims(input, axis: int, name: str | None = None) -> Tensor:
    """Insert a size-1 dimension at ``axis`` (negative counts from the end of the result)."""
    return F.unsqueeze(F._tensor(input), int(axis))


# --- reductions ----------------------------------------------------------------------------
def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis.tolist()
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def reduce_sum(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Sum over ``axis`` (all axes by default); integers stay in their dtype, as in TensorFlow."""
    x = F._tensor(input_tensor)
    result = F.sum(x, _axis(axis), keepdims)
    return result if x.dtype.is_floating_point or x.dtype.name == "bool" else F.cast(result, x.dtype)


def reduce_mean(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Mean over ``axis``; an integer tensor's mean is truncated to its dtype, as in TensorFlow."""
    x = F._tensor(input_tensor)
    if x.dtype.is_floating_point:
        return F.mean(x, _axis(axis), keepdims)
    total = F.sum(x, _axis(axis), keepdims)
    count = x.numel() // builtins.max(total.numel(), 1) if x.numel() else 1
    return F.cast(F.div(total, count, rounding_mode="trunc"), x.dtype)


def reduce_max(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = F._tensor(input_tensor)
    return F.amax(x, () if axis is None else _axis(axis), keepdims)


def reduce_min(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = F._tensor(input_tensor)
    return F.amin(x, () if axis is None else _axis(axis), keepdims)


def reduce_prod(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = F._tensor(input_tensor)
    result = F.prod(x, _axis(axis), keepdims)
    return result if x.dtype.is_floating_point else F.cast(result, x.dtype)


def reduce_any(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    return F.any(F._tensor(input_tensor), _axis(axis), keepdims)


def reduce_all(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    return F.all(F._tensor(input_tensor), _axis(axis), keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = F._tensor(input_tensor)
    axes = tuple(builtins.range(x.ndim)) if axis is None else _axis(axis)
    return F.logsumexp(x, axes, keepdims)


def reduce_variance(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Population variance (TensorFlow divides by N)."""
    return F.var(F._tensor(input_tensor), _axis(axis), correction=0, keepdim=keepdims)


def reduce_std(input_tensor, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    return F.sqrt(reduce_variance(input_tensor, axis, keepdims))


def count_nonzero(input, axis=None, keepdims: bool = False, dtype="int64", name: str | None = None) -> Tensor:
    x = F._tensor(input)
    return F.cast(reduce_sum(F.cast(F.ne(x, 0), "int64"), axis, keepdims), dtype)


def add_n(inputs, name: str | None = None) -> Tensor:
    """The elementwise sum of a list of same-shaped tensors."""
    inputs = list(inputs)
    if not inputs:
        raise EmberValueError("add_n: inputs must be a non-empty list of tensors")
    total = F._tensor(inputs[0])
    for value in inputs[1:]:
        total = total + value
    return total


# --- encoding and selection ----------------------------------------------------------------
def one_hot(indices, depth: int, on_value=None, off_value=None, axis=None, dtype=None,
            name: str | None = None) -> Tensor:
    """One-hot vectors of length ``depth`` (float32 by default); out-of-range ids give all-off rows.

    Example:
        >>> import ember as tf
        >>> tf.one_hot([1, -1], depth=2, on_value=5, off_value=0).tolist()
        [[0, 5], [0, 0]]
    """
    ids = F._tensor(indices)
    if ids.dtype.is_floating_point:
        raise DTypeError(f"one_hot: indices must be integers, got {ids.dtype.name}")
    if dtype is None:
        sample = on_value if on_value is not None else off_value
        dtype = F._tensor(sample).dtype if isinstance(sample, Tensor) else (
            "int32" if isinstance(sample, numbers.Integral) and not isinstance(sample, bool) else "float32")
    dtype = as_dtype(dtype)
    hits = F.eq(F.unsqueeze(ids, -1), arange(int(depth), dtype=ids.dtype))
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    result = F.where(hits, F.cast(on, dtype) if isinstance(on, Tensor) else _scalar(on, dtype),
                     F.cast(off, dtype) if isinstance(off, Tensor) else _scalar(off, dtype))
    if axis is not None and axis != -1:
        result = _move_last(result, axis)
    return result


def _move_last(x: Tensor, axis: int) -> Tensor:
    axis = axis % x.ndim
    order = list(builtins.range(x.ndim - 1))
    order.insert(axis, x.ndim - 1)
    return F.permute(x, order)


def boolean_mask(tensor, mask, axis=None, name: str | None = None) -> Tensor:
    """The entries of ``tensor`` where ``mask`` is true (mask over the leading dimensions)."""
    x, keep = F._tensor(tensor), F._tensor(mask)
    if axis:
        return x[(slice(None),) * int(axis) + (keep,)]
    return x[keep]


# --- clipping --------------------------------------------------------------------------------
def clip_by_value(t, clip_value_min, clip_value_max, name: str | None = None) -> Tensor:
    """Clamp to ``[clip_value_min, clip_value_max]`` (tensors or numbers)."""
    x = F._tensor(t)
    return F.minimum(F.maximum(x, _like(clip_value_min, x)), _like(clip_value_max, x))


def _like(value, x: Tensor) -> Tensor:
    return F.cast(F._tensor(value), x.dtype) if isinstance(value, Tensor) else _scalar(value, x.dtype)


def global_norm(t_list, name: str | None = None) -> Tensor:
    """sqrt(sum of every tensor's squared L2 norm); None entries are skipped."""
    squares = [F.sum(F.square(F._tensor(t))) for t in t_list if t is not None]
    if not squares:
        return _scalar(0.0, "float32")
    return F.sqrt(add_n(squares))


def clip_by_norm(t, clip_norm, axes=None, name: str | None = None) -> Tensor:
    """Rescale ``t`` so its L2 norm (over ``axes``, all by default) is at most ``clip_norm``."""
    x = F._tensor(t)
    norm = F.sqrt(F.sum(F.square(x), _axis(axes), keepdim=axes is not None))
    scale = clip_norm / F.maximum(norm, _scalar(clip_norm, x.dtype))
    return x * F.where(norm > 0, scale, _scalar(1.0, x.dtype))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name: str | None = None):
    """``(clipped list, global norm)``: every tensor scaled by ``clip_norm / max(global_norm, clip_norm)``.

    Example:
        >>> import ember as tf
        >>> clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), tf.constant([4.0])], 1.0)
        >>> [c.tolist() for c in clipped], norm.item()
        ([[0.6000000238418579], [0.800000011920929]], 5.0)
    """
    t_list = list(t_list)
    norm = global_norm(t_list) if use_norm is None else F._tensor(use_norm)
    scale = clip_norm / F.maximum(norm, _scalar(clip_norm, norm.dtype))
    clipped = [None if t is None else F._tensor(t) * F.cast(scale, F._tensor(t).dtype) for t in t_list]
    return clipped, norm


# --- TensorFlow's names for PyTorch's elementwise functions ------------------------------------
def subtract(x, y, name: str | None = None) -> Tensor:
    return F.sub(x, y)


def multiply(x, y, name: str | None = None) -> Tensor:
    return F.mul(x, y)


def divide(x, y, name: str | None = None) -> Tensor:
    return F.div(x, y)


def greater_equal(x, y, name: str | None = None) -> Tensor:
    return F.ge(x, y)


def less_equal(x, y, name: str | None = None) -> Tensor:
    return F.le(x, y)


# --- sequences --------------------------------------------------------------------------------
def unstack(value, num=None, axis: int = 0, name: str | None = None) -> list:
    """The slices of ``value`` along ``axis``, as a list."""
    return list(F.unbind(F._tensor(value), axis))


def sequence_mask(lengths, maxlen=None, dtype="bool", name: str | None = None) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` (``maxlen`` defaults to the longest length).

    Example:
        >>> import ember as tf
        >>> tf.sequence_mask([1, 3], 4).tolist()
        [[True, False, False, False], [True, True, True, False]]
    """
    sizes = F._tensor(lengths)
    width = int(F.amax(sizes, ()).item()) if maxlen is None else int(maxlen)
    mask = F.lt(arange(width, dtype=sizes.dtype), F.unsqueeze(sizes, -1))
    return mask if as_dtype(dtype).name == "bool" else F.cast(mask, as_dtype(dtype))


def executing_eagerly() -> bool:
    """False while ``ember.function`` traces, True otherwise."""
    from ..graph.tracer import is_tracing
    return not is_tracing()


newaxis = None
