"""``keras.ops``'s NumPy-like functions on Ember tensors (NumPy's names and argument conventions).

Keras's conventions hold where they differ from PyTorch's: ``axis``/``keepdims``,
``argmax``/``argmin`` over the flattened tensor when ``axis`` is None (as
int32), ``mean`` of integers in float32, ``transpose(x, axes=None)``
reversing the axes, ``split`` by sections or indices, ``take`` over the
flattened tensor. Every function returns Ember tensors and differentiates
through Ember's primitives.
"""
from __future__ import annotations

import builtins

import numpy

import ember
from ember.ops import functions as F

from ...tf_compat import math as tf_math
from ...tf_compat import tensor_ops


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> ember.Tensor:
    """``x`` as a tensor (Python floats as float32, NumPy arrays keep their dtype)."""
    if isinstance(x, ember.Tensor):
        return x if dtype is None or x.dtype == ember.as_dtype(dtype) else F.cast(x, dtype)
    array = numpy.asarray(x)
    if not isinstance(x, (numpy.ndarray, numpy.generic)):
        if array.dtype == numpy.float64:
            array = array.astype(numpy.float32)
        elif array.dtype == numpy.int64:
            array = array.astype(numpy.int32)
    if dtype is not None:
        array = array.astype(ember.as_dtype(dtype).name)
    return ember.from_numpy(numpy.require(array, requirements='C'))


def _t(x) -> ember.Tensor:
    return convert_to_tensor(x)


def _axis(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def _float_result(x):
    return x if x.dtype.is_floating_point else F.cast(x, "float32")


# --- reductions -----------------------------------------------------------------------------
def sum(x, axis=None, keepdims: bool = False) -> ember.Tensor:  # noqa: A001
    return tensor_ops.reduce_sum(_t(x), axis, keepdims)


def mean(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return F.mean(_float_result(_t(x)), _axis(axis), keepdims)


def max(x, axis=None, keepdims: bool = False, initial=None) -> ember.Tensor:  # noqa: A001
    result = tensor_ops.reduce_max(_t(x), axis, keepdims)
    return result if initial is None else F.maximum(result, convert_to_tensor(initial, result.dtype))


def min(x, axis=None, keepdims: bool = False, initial=None) -> ember.Tensor:  # noqa: A001
    result = tensor_ops.reduce_min(_t(x), axis, keepdims)
    return result if initial is None else F.minimum(result, convert_to_tensor(initial, result.dtype))


amax, amin = max, min


def prod(x, axis=None, keepdims: bool = False, dtype=None) -> ember.Tensor:
    return tensor_ops.reduce_prod(_t(x) if dtype is None else F.cast(_t(x), dtype), axis, keepdims)


def std(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return tensor_ops.reduce_std(_float_result(_t(x)), axis, keepdims)


def var(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return tensor_ops.reduce_variance(_float_result(_t(x)), axis, keepdims)


def all(x, axis=None, keepdims: bool = False) -> ember.Tensor:  # noqa: A001
    return F.all(_t(x), _axis(axis), keepdims)


def any(x, axis=None, keepdims: bool = False) -> ember.Tensor:  # noqa: A001
    return F.any(_t(x), _axis(axis), keepdims)


def argmax(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return F.cast(F.argmax(_t(x), axis, keepdims), "int32")


def argmin(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return F.cast(F.argmin(_t(x), axis, keepdims), "int32")


def argsort(x, axis: int = -1) -> ember.Tensor:
    return convert_to_tensor(numpy.argsort(numpy.asarray(_t(x).detach()), axis=axis, kind="stable").astype("int32"))


def sort(x, axis: int = -1) -> ember.Tensor:
    order = numpy.argsort(numpy.asarray(_t(x).detach()), axis=axis, kind="stable")
    return F.take_along_dim(_t(x), ember.from_numpy(order), axis)


def cumsum(x, axis=None, dtype=None) -> ember.Tensor:
    value = _t(x) if dtype is None else F.cast(_t(x), dtype)
    return F.cumsum(F.flatten(value), 0) if axis is None else F.cumsum(value, axis)


def count_nonzero(x, axis=None) -> ember.Tensor:
    return F.cast(tensor_ops.reduce_sum(F.cast(F.ne(_t(x), 0), "int32"), axis), "int32")


def average(x, axis=None, weights=None) -> ember.Tensor:
    value = _float_result(_t(x))
    if weights is None:
        return F.mean(value, _axis(axis))
    w = _float_result(_t(weights))
    if axis is not None and w.ndim == 1 and value.ndim > 1:  # NumPy: 1-D weights run along `axis`
        w = F.reshape(w, tuple(-1 if d == axis % value.ndim else 1 for d in builtins.range(value.ndim)))
    w = F.broadcast_to(w, value.shape)
    return F.sum(value * w, _axis(axis)) / F.sum(w, _axis(axis))


# --- elementwise ---------------------------------------------------------------------------------
def _unary(function):
    return lambda x: function(_t(x))


abs = absolute = _unary(F.abs)  # noqa: A001
exp = _unary(F.exp)
expm1 = _unary(F.expm1)
log = _unary(F.log)
log1p = _unary(F.log1p)
log2 = _unary(F.log2)
log10 = _unary(F.log10)
sqrt = _unary(F.sqrt)
rsqrt = _unary(F.rsqrt)
square = _unary(F.square)
sin = _unary(F.sin)
cos = _unary(F.cos)
tan = _unary(F.tan)
tanh = _unary(F.tanh)
sign = _unary(F.sign)
floor = _unary(F.floor)
ceil = _unary(F.ceil)
negative = _unary(F.neg)
reciprocal = _unary(F.reciprocal)
isnan = _unary(F.isnan)
isinf = _unary(F.isinf)
isfinite = _unary(F.isfinite)
logical_not = _unary(F.logical_not)


def round(x, decimals: int = 0) -> ember.Tensor:  # noqa: A001
    if decimals:
        scale = 10.0 ** decimals
        return F.round(_t(x) * scale) / scale
    return F.round(_t(x))


def _binary(function):
    return lambda x1, x2: function(_t(x1), _t(x2))


add = _binary(F.add)
subtract = _binary(F.sub)
multiply = _binary(F.mul)
divide = true_divide = _binary(F.div)
floor_divide = _binary(F.floor_divide)
mod = _binary(F.remainder)
power = _binary(F.pow)
maximum = _binary(F.maximum)
minimum = _binary(F.minimum)
equal = _binary(F.eq)
not_equal = _binary(F.ne)
greater = _binary(F.gt)
greater_equal = _binary(F.ge)
less = _binary(F.lt)
less_equal = _binary(F.le)
logical_and = _binary(F.logical_and)
logical_or = _binary(F.logical_or)
logical_xor = _binary(F.logical_xor)
matmul = _binary(F.matmul)


def clip(x, x_min, x_max) -> ember.Tensor:
    return tensor_ops.clip_by_value(_t(x), x_min, x_max)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` else ``x2``; with only ``condition``, the indices of its true entries."""
    if x1 is None and x2 is None:
        found = numpy.nonzero(numpy.asarray(_t(condition)))
        return tuple(convert_to_tensor(index.astype("int32")) for index in found)
    return F.where(F.cast(_t(condition), "bool"), _t(x1), _t(x2))


def dot(x1, x2) -> ember.Tensor:
    a, b = _t(x1), _t(x2)
    return a * b if a.ndim == 0 or b.ndim == 0 else F.matmul(a, b)


def einsum(subscripts: str, *operands) -> ember.Tensor:
    return F.einsum(subscripts, *[_t(o) for o in operands])


def outer(x1, x2) -> ember.Tensor:
    return F.outer(F.flatten(_t(x1)), F.flatten(_t(x2)))


def norm(x, ord=None, axis=None, keepdims: bool = False) -> ember.Tensor:
    value = _float_result(_t(x))
    if ord in (None, 2, "fro") and (axis is None or isinstance(axis, int) or ord != 2):
        return F.sqrt(F.sum(F.square(value), _axis(axis), keepdims))
    if ord == 1:
        return F.sum(F.abs(value), _axis(axis), keepdims)
    if ord in (numpy.inf, "inf"):
        return tensor_ops.reduce_max(F.abs(value), axis, keepdims)
    raise NotImplementedError(f"keras.ops.norm: ord={ord!r} is not supported")


# --- creation ----------------------------------------------------------------------------------
def _floatx_dtype(dtype):
    return ember.as_dtype(dtype or "float32")


def zeros(shape, dtype=None) -> ember.Tensor:
    return ember.zeros(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_floatx_dtype(dtype))


def ones(shape, dtype=None) -> ember.Tensor:
    return ember.ones(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_floatx_dtype(dtype))


def full(shape, fill_value, dtype=None) -> ember.Tensor:
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    return ember.full(shape, fill_value, dtype=_floatx_dtype(dtype))


def zeros_like(x, dtype=None) -> ember.Tensor:
    return ember.zeros_like(_t(x), dtype=None if dtype is None else ember.as_dtype(dtype))


def ones_like(x, dtype=None) -> ember.Tensor:
    return ember.ones_like(_t(x), dtype=None if dtype is None else ember.as_dtype(dtype))


def full_like(x, fill_value, dtype=None) -> ember.Tensor:
    return ember.full_like(_t(x), fill_value, dtype=None if dtype is None else ember.as_dtype(dtype))


def eye(N: int, M: int | None = None, k: int = 0, dtype=None) -> ember.Tensor:
    return convert_to_tensor(numpy.eye(N, M, k, dtype=_floatx_dtype(dtype).name))


identity = eye


def arange(start, stop=None, step=1, dtype=None) -> ember.Tensor:
    if dtype is None:
        floating = builtins.any(isinstance(v, float) for v in (start, stop, step))
        dtype = "float32" if floating else "int32"
    return tensor_ops.range(start, stop, step, dtype=dtype)


def linspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None) -> ember.Tensor:
    return convert_to_tensor(numpy.linspace(start, stop, num, endpoint=endpoint).astype(_floatx_dtype(dtype).name))


def tri(N: int, M: int | None = None, k: int = 0, dtype=None) -> ember.Tensor:
    return convert_to_tensor(numpy.tri(N, M, k, dtype=_floatx_dtype(dtype).name))


tril = lambda x, k=0: F.tril(_t(x), k)  # noqa: E731
triu = lambda x, k=0: F.triu(_t(x), k)  # noqa: E731


# --- shape -----------------------------------------------------------------------------------------
def reshape(x, newshape) -> ember.Tensor:
    return F.reshape(_t(x), (newshape,) if isinstance(newshape, int) else tuple(newshape))


def transpose(x, axes=None) -> ember.Tensor:
    value = _t(x)
    return F.permute(value, list(axes) if axes is not None else list(builtins.range(value.ndim))[::-1])


def swapaxes(x, axis1: int, axis2: int) -> ember.Tensor:
    return F.transpose(_t(x), axis1, axis2)


def moveaxis(x, source, destination) -> ember.Tensor:
    value = _t(x)
    sources = [s % value.ndim for s in ([source] if isinstance(source, int) else source)]
    targets = [d % value.ndim for d in ([destination] if isinstance(destination, int) else destination)]
    order = [d for d in builtins.range(value.ndim) if d not in sources]
    for target, source_axis in sorted(zip(targets, sources)):
        order.insert(target, source_axis)
    return F.permute(value, order)


def expand_dims(x, axis) -> ember.Tensor:
    value = _t(x)
    for a in sorted(axis if isinstance(axis, (list, tuple)) else [axis]):
        value = F.unsqueeze(value, a)
    return value


def squeeze(x, axis=None) -> ember.Tensor:
    value = _t(x)
    if axis is not None:
        for a in (axis if isinstance(axis, (list, tuple)) else [axis]):
            if value.shape[a] != 1:
                raise ValueError(f"Cannot squeeze axis {a}: it has size {value.shape[a]}, not 1 "
                                 f"(shape {tuple(value.shape)})")
    return F.squeeze(value, _axis(axis))


def concatenate(xs, axis: int = 0) -> ember.Tensor:
    return F.concat([_t(x) for x in xs], axis)


def stack(x, axis: int = 0) -> ember.Tensor:
    return F.stack([_t(v) for v in x], axis)


def unstack(x, num=None, axis: int = 0) -> list:
    return list(F.unbind(_t(x), axis))


def split(x, indices_or_sections, axis: int = 0) -> list:
    """NumPy's split: a number of equal sections, or the indices to cut at."""
    value = _t(x)
    size = value.shape[axis]
    if isinstance(indices_or_sections, int):
        if size % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {size} does not divide into {indices_or_sections} sections")
        return list(F.split(value, size // indices_or_sections, axis))
    bounds = [0, *indices_or_sections, size]
    return list(F.split(value, [b - a for a, b in zip(bounds[:-1], bounds[1:])], axis))


def tile(x, repeats) -> ember.Tensor:
    return F.tile(_t(x), (repeats,) if isinstance(repeats, int) else tuple(repeats))


def repeat(x, repeats: int, axis=None) -> ember.Tensor:
    value = _t(x)
    if axis is None:
        value, axis = F.flatten(value), 0
    index = convert_to_tensor(numpy.repeat(numpy.arange(value.shape[axis]), repeats))
    return value[(slice(None),) * (axis % value.ndim) + (index,)]


def flip(x, axis=None) -> ember.Tensor:
    value = _t(x)
    axes = tuple(builtins.range(value.ndim)) if axis is None else (axis if isinstance(axis, (list, tuple)) else (axis,))
    return F.flip(value, axes)


def roll(x, shift: int, axis=None) -> ember.Tensor:
    value = _t(x)
    flat = axis is None
    target = F.flatten(value) if flat else value
    dim = 0 if flat else axis
    index = convert_to_tensor((numpy.arange(target.shape[dim]) - shift) % target.shape[dim])
    rolled = target[(slice(None),) * (dim % target.ndim) + (index,)]
    return F.reshape(rolled, value.shape) if flat else rolled


def take(x, indices, axis=None) -> ember.Tensor:
    value = _t(x)
    if axis is None:
        value, axis = F.flatten(value), 0
    return value[(slice(None),) * (axis % value.ndim) + (F.cast(_t(indices), "int64"),)]


def take_along_axis(x, indices, axis=None) -> ember.Tensor:
    return F.take_along_dim(_t(x), F.cast(_t(indices), "int64"), axis)


def pad(x, pad_width, mode: str = "constant", constant_values=None) -> ember.Tensor:
    value = _t(x)
    widths = [tuple(w) for w in numpy.broadcast_to(numpy.asarray(pad_width), (value.ndim, 2)).tolist()]
    flat = [w for pair in reversed(widths) for w in pair]  # PyTorch's order: last dimension first
    torch_mode = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}[mode]
    return F.pad(value, flat, torch_mode, 0.0 if constant_values is None else constant_values)


def size(x) -> int:
    return _t(x).numel()


def ndim(x) -> int:
    return _t(x).ndim


def vstack(xs) -> ember.Tensor:
    return F.concat([_t(x) if _t(x).ndim > 1 else F.unsqueeze(_t(x), 0) for x in xs], 0)


def hstack(xs) -> ember.Tensor:
    tensors = [_t(x) for x in xs]
    return F.concat(tensors, 0 if tensors[0].ndim == 1 else 1)


def logsumexp(x, axis=None, keepdims: bool = False) -> ember.Tensor:
    return tensor_ops.reduce_logsumexp(_t(x), axis, keepdims)


def erf(x) -> ember.Tensor:
    return F.erf(_t(x))


def top_k(x, k: int, sorted: bool = True):  # noqa: A002
    """``(values, indices)`` of the ``k`` largest entries along the last axis (indices int64, as Keras on torch)."""
    values, indices = tf_math.top_k(_t(x), k)
    return values, F.cast(indices, "int64")
