"""More of ``keras.ops``: the less common NumPy-like functions, normalizations, convolution and
pooling in Keras's channels-last layout, and the functional control-flow helpers.

Convolution and pooling move channels to PyTorch's layout, call
``ember.nn.functional`` and move them back; ``padding="same"`` pads as
TensorFlow does (the odd pixel after); average pooling there follows Keras on
its torch backend, the reference: it divides by the window's in-bounds size
when the padding is symmetric, and repeats the edge values into asymmetric
padding (TensorFlow would divide by the in-bounds size there too).
"""
from __future__ import annotations

import builtins
import math

import numpy

import ember
from ember.ops import functions as F
import ember.nn.functional as NF

from ...tf_compat import tensor_ops
from .numpy_ops import _float_result, _t, convert_to_tensor


# --- elementwise --------------------------------------------------------------------------------
def cosh(x):
    value = _float_result(_t(x))
    return (F.exp(value) + F.exp(-value)) / 2.0


def sinh(x):
    value = _float_result(_t(x))
    return (F.exp(value) - F.exp(-value)) / 2.0


def cbrt(x):
    value = _float_result(_t(x))
    return F.sign(value) * F.abs(value) ** (1.0 / 3.0)


def deg2rad(x):
    return _float_result(_t(x)) * (math.pi / 180.0)


def rad2deg(x):
    return _float_result(_t(x)) * (180.0 / math.pi)


def exp2(x):
    return 2.0 ** _float_result(_t(x))


def fabs(x):
    return F.abs(_float_result(_t(x)))


def erfc(x):
    return 1.0 - F.erf(_t(x))


def trunc(x):
    return ember.trunc(_t(x))


def fmod(x1, x2):
    return ember.fmod(_t(x1), _t(x2))


def hypot(x1, x2):
    return ember.hypot(_t(x1), _t(x2))


def logaddexp(x1, x2):
    return ember.logaddexp(_t(x1), _t(x2))


def signbit(x):
    value = _t(x)
    if value.dtype.is_floating_point:
        return convert_to_tensor(numpy.signbit(numpy.asarray(value.detach())))
    return F.lt(value, 0)


def sinc(x):
    value = _float_result(_t(x))
    scaled = value * math.pi
    safe = F.where(value == 0, F.full_scalar(1.0, value), scaled)
    return F.where(value == 0, F.full_scalar(1.0, value), F.sin(safe) / safe)


def heaviside(x1, x2):
    value, at_zero = _t(x1), _t(x2)
    one = F.full_scalar(1.0, _float_result(value))
    zero = F.full_scalar(0.0, _float_result(value))
    return F.where(value > 0, one, F.where(value < 0, zero, F.cast(at_zero, one.dtype)))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    value = _t(x)
    if not value.dtype.is_floating_point:
        return value
    info = numpy.finfo(value.dtype.name)
    value = F.where(F.isnan(value), F.full_scalar(nan, value), value)
    value = F.where(value == math.inf, F.full_scalar(info.max if posinf is None else posinf, value), value)
    return F.where(value == -math.inf, F.full_scalar(info.min if neginf is None else neginf, value), value)


def divide_no_nan(x1, x2):
    from ...tf_compat.math import divide_no_nan as tf_divide_no_nan
    return tf_divide_no_nan(_t(x1), _t(x2))


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    a, b = _t(x1), _t(x2)
    close = F.le(F.abs(a - b), atol + rtol * F.abs(b))
    if equal_nan:
        close = F.logical_or(close, F.logical_and(F.isnan(a), F.isnan(b)))
    return close


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    return F.all(isclose(x1, x2, rtol, atol, equal_nan))


# --- activations Keras lists under ops --------------------------------------------------------------
def celu(x, alpha: float = 1.0):
    return NF.celu(_t(x), alpha)


def glu(x, axis: int = -1):
    return NF.glu(_t(x), axis)


def hard_tanh(x):
    return NF.hardtanh(_t(x))


def hard_shrink(x, threshold: float = 0.5):
    return NF.hardshrink(_t(x), threshold)


def soft_shrink(x, threshold: float = 0.5):
    return NF.softshrink(_t(x), threshold)


def tanh_shrink(x):
    value = _t(x)
    return value - F.tanh(value)


def threshold(x, threshold, default_value):  # noqa: A002
    value = _t(x)
    return F.where(value > threshold, value, F.full_scalar(default_value, value))


def squareplus(x, b: float = 4.0):
    value = _float_result(_t(x))
    return (value + F.sqrt(F.square(value) + b)) / 2.0


def sparse_plus(x):
    value = _float_result(_t(x))
    middle = F.square(value + 1.0) / 4.0
    return F.where(value <= -1.0, F.full_scalar(0.0, value), F.where(value >= 1.0, value, middle))


# --- shape and indexing --------------------------------------------------------------------------------
def broadcast_to(x, shape):
    return F.broadcast_to(_t(x), tuple(shape))


def copy(x):
    return F.clone(_t(x))


def ravel(x):
    return F.flatten(_t(x))


def fliplr(x):
    return F.flip(_t(x), (1,))


def flipud(x):
    return F.flip(_t(x), (0,))


def rot90(array, k: int = 1, axes=(0, 1)):
    value = _t(array)
    for _ in range(k % 4):
        value = F.flip(F.transpose(value, axes[0], axes[1]), (axes[0],))
    return value


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    value = _t(x)
    rows, cols = value.shape[axis1], value.shape[axis2]
    start_row, start_col = (0, offset) if offset >= 0 else (-offset, 0)
    count = builtins.max(0, builtins.min(rows - start_row, cols - start_col))
    moved = F.permute(value, [d for d in range(value.ndim) if d not in (axis1 % value.ndim, axis2 % value.ndim)]
                      + [axis1 % value.ndim, axis2 % value.ndim])
    index_rows = convert_to_tensor(numpy.arange(count) + start_row).long()
    index_cols = convert_to_tensor(numpy.arange(count) + start_col).long()
    return moved[(Ellipsis, index_rows, index_cols)]


def diag(x, k: int = 0):
    value = _t(x)
    if value.ndim == 2:
        return diagonal(value, k)
    size = value.shape[0] + builtins.abs(k)
    rows = numpy.arange(value.shape[0]) + builtins.max(0, -k)
    cols = numpy.arange(value.shape[0]) + builtins.max(0, k)
    out = ember.zeros(size * size, dtype=value.dtype)
    positions = convert_to_tensor((rows * size + cols).astype("int64"))
    return F.reshape(F.scatter_add(out, 0, positions, value), (size, size))


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    return F.sum(diagonal(x, offset, axis1, axis2), -1)


def diff(a, n: int = 1, axis: int = -1):
    value = _t(a)
    for _ in range(n):
        size = value.shape[axis]
        upper = F.getitem_index(value, (slice(None),) * (axis % value.ndim) + (slice(1, size),))
        lower = F.getitem_index(value, (slice(None),) * (axis % value.ndim) + (slice(0, size - 1),))
        value = upper - lower
    return value


def inner(x1, x2):
    a, b = _t(x1), _t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return F.matmul(a, F.transpose(b, -1, -2)) if b.ndim > 1 else F.matmul(a, b)


def vdot(x1, x2):
    return F.sum(F.flatten(_t(x1)) * F.flatten(_t(x2)))


def tensordot(x1, x2, axes=2):
    return ember.tensordot(_t(x1), _t(x2), axes)


def kron(x1, x2):
    return ember.kron(_t(x1), _t(x2))


def cumprod(x, axis=None, dtype=None):
    value = _t(x) if dtype is None else F.cast(_t(x), dtype)
    return ember.cumprod(F.flatten(value), 0) if axis is None else ember.cumprod(value, axis)


def meshgrid(*x, indexing: str = "xy"):
    tensors = [_t(v) for v in x]
    if indexing == "xy" and len(tensors) > 1:  # "xy" is "ij" with the first two axes swapped
        grids = list(ember.meshgrid(tensors[1], tensors[0], *tensors[2:], indexing="ij"))
        return [grids[1], grids[0], *grids[2:]]
    return list(ember.meshgrid(*tensors, indexing="ij"))


def nonzero(x):
    found = numpy.nonzero(numpy.asarray(_t(x).detach()))
    return tuple(convert_to_tensor(index.astype("int32")) for index in found)


def logspace(start, stop, num: int = 50, endpoint: bool = True, base: float = 10.0, dtype=None):
    values = numpy.logspace(start, stop, num, endpoint=endpoint, base=base)
    return convert_to_tensor(values.astype(ember.as_dtype(dtype or "float32").name))


def empty(shape, dtype=None):
    return ember.zeros(tuple(shape), dtype=ember.as_dtype(dtype or "float32"))


def empty_like(x, dtype=None):
    return ember.zeros_like(_t(x), dtype=None if dtype is None else ember.as_dtype(dtype))


def array(x, dtype=None):
    return convert_to_tensor(x, dtype)


def append(x1, x2, axis=None):
    a, b = _t(x1), _t(x2)
    if axis is None:
        return F.concat([F.flatten(a), F.flatten(b)], 0)
    return F.concat([a, b], axis)


def dstack(xs):
    parts = [_t(x) for x in xs]
    parts = [F.reshape(p, (1, -1, 1)) if p.ndim == 1 else F.unsqueeze(p, -1) if p.ndim == 2 else p for p in parts]
    return F.concat(parts, 2)


def array_split(x, indices_or_sections, axis: int = 0):
    value = _t(x)
    size = value.shape[axis]
    if isinstance(indices_or_sections, int):
        base, extra = divmod(size, indices_or_sections)
        sizes = [base + 1] * extra + [base] * (indices_or_sections - extra)
    else:
        bounds = [0, *indices_or_sections, size]
        sizes = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
    return list(F.split(value, sizes, axis))


def hsplit(x, indices_or_sections):
    from .numpy_ops import split
    return split(x, indices_or_sections, axis=1 if _t(x).ndim > 1 else 0)


def vsplit(x, indices_or_sections):
    from .numpy_ops import split
    return split(x, indices_or_sections, axis=0)


def get_item(x, key):
    return _t(x)[key]


def select(condlist, choicelist, default=0):
    result = None
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        base = result if result is not None else F.full_scalar(default, _float_result(_t(choice))) \
            if not isinstance(default, ember.Tensor) else default
        result = F.where(F.cast(_t(condition), "bool"), _t(choice), base)
    return result


# --- statistics (sorted copies; differentiable through take_along_dim) ----------------------------------------
def _sorted(x, axis):
    value = _t(x)
    if axis is None:
        value, axis = F.flatten(value), 0
    order = numpy.argsort(numpy.asarray(value.detach()), axis=axis, kind="stable")
    return F.take_along_dim(value, ember.from_numpy(order), axis), axis


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    ordered, axis = _sorted(_float_result(_t(x)), axis)
    size = ordered.shape[axis]
    qs = numpy.atleast_1d(numpy.asarray(q, dtype="float64"))
    results = []
    for fraction in qs:
        position = fraction * (size - 1)
        low, high = int(math.floor(position)), int(math.ceil(position))
        pick = lambda i: F.getitem_index(ordered, (slice(None),) * axis + (i,))  # noqa: E731
        weight = position - low
        results.append(pick(low) * (1 - weight) + pick(high) * weight if high != low else pick(low))
    stacked = F.stack(results, 0)
    if keepdims and _t(x).ndim:
        stacked = F.unsqueeze(stacked, axis + 1)
    return stacked if numpy.ndim(q) else stacked[0]


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    return quantile(x, numpy.asarray(q, dtype="float64") / 100.0, axis, method, keepdims)


def median(x, axis=None, keepdims: bool = False):
    return quantile(x, 0.5, axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims: bool = False):
    return tensor_ops.reduce_max(_t(x), axis, keepdims) - tensor_ops.reduce_min(_t(x), axis, keepdims)


def searchsorted(sorted_sequence, values, side: str = "left"):
    found = numpy.searchsorted(numpy.asarray(_t(sorted_sequence).detach()), numpy.asarray(_t(values).detach()), side)
    return convert_to_tensor(found.astype("int32"))


def digitize(x, bins):
    return convert_to_tensor(numpy.digitize(numpy.asarray(_t(x).detach()), numpy.asarray(bins)).astype("int32"))


def bincount(x, weights=None, minlength: int = 0, sparse: bool = False):
    counts = numpy.bincount(numpy.asarray(_t(x).detach()).astype("int64"),
                            None if weights is None else numpy.asarray(_t(weights).detach()), minlength)
    return convert_to_tensor(counts.astype("int32" if weights is None else counts.dtype))


def argpartition(x, kth: int, axis: int = -1):
    return convert_to_tensor(numpy.argpartition(numpy.asarray(_t(x).detach()), kth, axis).astype("int32"))


def in_top_k(targets, predictions, k: int):
    from ...tf_compat.math import top_k
    _, top = top_k(_t(predictions), k)
    return F.any(F.eq(F.cast(top, "int64"), F.unsqueeze(F.cast(_t(targets), "int64"), -1)), -1)


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    values, ids = _t(data), F.cast(_t(segment_ids), "int64")
    count = int(num_segments) if num_segments is not None else int(F.amax(ids, ()).item()) + 1
    out = ember.zeros((count,) + tuple(values.shape[1:]), dtype=values.dtype)
    index = F.broadcast_to(F.reshape(ids, (-1,) + (1,) * (values.ndim - 1)), values.shape)
    return F.scatter_add(out, 0, index, values)


def segment_max(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    values, ids = _t(data), numpy.asarray(_t(segment_ids).detach()).astype("int64")
    count = int(num_segments) if num_segments is not None else int(ids.max()) + 1
    rows = []
    for segment in range(count):
        members = numpy.nonzero(ids == segment)[0]
        rows.append(F.amax(values[convert_to_tensor(members.astype("int64"))], 0) if members.size else
                    ember.full(tuple(values.shape[1:]), float(numpy.finfo("float32").min), dtype=values.dtype))
    return F.stack(rows, 0)


# --- normalizations -------------------------------------------------------------------------------------
def layer_normalization(x, gamma=None, beta=None, axis: int = -1, epsilon=None, rms_scaling: bool = False):
    value = _float_result(_t(x))
    epsilon = 1e-7 if epsilon is None else epsilon  # keras.config.epsilon()
    mean = F.mean(value, axis, keepdim=True)
    variance = F.mean(F.square(value - mean), axis, keepdim=True)
    normalized = (value - mean) * F.rsqrt(variance + epsilon)
    if gamma is not None:
        normalized = normalized * _t(gamma)
    return normalized + _t(beta) if beta is not None else normalized


def rms_normalization(x, scale=None, axis: int = -1, epsilon=None):
    value = _float_result(_t(x))
    eps = float(numpy.finfo(value.dtype.name).eps) if epsilon is None else epsilon  # Keras: the dtype's epsilon
    normalized = value * F.rsqrt(F.mean(F.square(value), axis, keepdim=True) + eps)
    return normalized * _t(scale) if scale is not None else normalized


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None, epsilon: float = 1e-3):
    value = _float_result(_t(x))
    shape = [1] * value.ndim
    shape[axis] = -1

    def shaped(v):
        return F.reshape(_t(v), tuple(shape))
    normalized = (value - shaped(mean)) * F.rsqrt(shaped(variance) + epsilon)
    if scale is not None:
        normalized = normalized * shaped(scale)
    return normalized + shaped(offset) if offset is not None else normalized


def psnr(x1, x2, max_val):
    mse = F.mean(F.square(_float_result(_t(x1)) - _float_result(_t(x2))))
    return 20.0 * math.log10(max_val) - 10.0 * F.log10(mse)


# --- convolution and pooling, channels last ---------------------------------------------------------------
def _tuple(value, rank: int) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (int(value),) * rank


def _to_channels_first(x, data_format):
    if data_format == "channels_first":
        return x
    return F.permute(x, [0, x.ndim - 1] + list(range(1, x.ndim - 1)))


def _to_channels_last(x, data_format):
    if data_format == "channels_first":
        return x
    return F.permute(x, [0] + list(range(2, x.ndim)) + [1])


def _same_padding(sizes, kernel, strides, dilation):
    """TensorFlow's 'same' padding per spatial axis: (before, after), the odd one after."""
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        total = builtins.max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_spatial(x, pads, value: float = 0.0):
    flat = [amount for pair in reversed(pads) for amount in pair]
    return F.pad(x, flat, "constant", value) if builtins.any(flat) else x


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1):
    """N-D convolution: ``inputs`` (batch, *spatial, in), ``kernel`` (*spatial, in / groups, out)."""
    x = _to_channels_first(_t(inputs), data_format)
    weight = _t(kernel)
    rank = weight.ndim - 2
    weight = F.permute(weight, [rank + 1, rank] + list(range(rank)))  # (out, in, *spatial)
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    if padding.lower() == "same":
        x = _pad_spatial(x, _same_padding(x.shape[2:], weight.shape[2:], strides, dilation))
    groups = x.shape[1] // weight.shape[1]
    function = {1: NF.conv1d, 2: NF.conv2d, 3: getattr(NF, "conv3d", None)}[rank]
    return _to_channels_last(function(x, weight, None, strides, 0, dilation, groups), data_format)


def depthwise_conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1):
    """``kernel`` (*spatial, in, multiplier): each input channel convolved with its own filters."""
    weight = _t(kernel)
    shape = tuple(weight.shape)
    grouped = F.reshape(weight, shape[:-2] + (1, shape[-2] * shape[-1]))
    return conv(inputs, grouped, strides, padding, data_format, dilation_rate)


def _pool(inputs, pool_size, strides, padding, data_format, reduce_max: bool):
    x = _to_channels_first(_t(inputs), data_format)
    rank = x.ndim - 2
    window = _tuple(pool_size, rank)
    strides = window if strides is None else _tuple(strides, rank)
    if padding.lower() == "same":
        pads = _same_padding(x.shape[2:], window, strides, (1,) * rank)
        if reduce_max:
            x = _pad_spatial(x, pads, float("-inf"))
        elif builtins.all(before == after for before, after in pads):
            # Symmetric: divide by the in-bounds count (pool the padded ones alongside), as Keras does.
            ones = _pad_spatial(ember.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype), pads)
            x = _pad_spatial(x, pads)
            pooled = {1: NF.avg_pool1d, 2: NF.avg_pool2d}[rank]
            return _to_channels_last(pooled(x, window, strides) / pooled(ones, window, strides), data_format)
        else:
            # Asymmetric: Keras on torch repeats the edge values into the padding and averages them.
            x = F.pad(x, [amount for pair in reversed(pads) for amount in pair], "replicate")
    function = {1: NF.max_pool1d, 2: NF.max_pool2d}[rank] if reduce_max else {1: NF.avg_pool1d, 2: NF.avg_pool2d}[rank]
    return _to_channels_last(function(x, window, strides), data_format)


def max_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format, True)


def average_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format, False)


# --- control flow (eager Python; inside ember.function use ember.cond / ember.while_loop) ----------------------
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (list, tuple))
    values = (loop_vars,) if single else tuple(loop_vars)
    count = 0
    while bool(cond(*values)) and (maximum_iterations is None or count < maximum_iterations):
        values = body(*values)
        values = (values,) if single or not isinstance(values, (list, tuple)) else tuple(values)
        count += 1
    return values[0] if single else values


def scan(f, init, xs=None, length=None, reverse: bool = False, unroll=1):
    steps = range(length) if xs is None else range(_t(xs).shape[0] if not isinstance(xs, (list, tuple)) else len(xs))
    order = reversed(list(steps)) if reverse else steps
    carry, outputs = init, []
    for i in order:
        carry, out = f(carry, None if xs is None else xs[i])
        outputs.append(out)
    if reverse:
        outputs.reverse()
    stacked = None if not outputs or outputs[0] is None else F.stack([_t(o) for o in outputs], 0)
    return carry, stacked


def switch(index, branches, *operands):
    return branches[builtins.max(0, builtins.min(int(index), len(branches) - 1))](*operands)


def vectorized_map(function, elements):
    if isinstance(elements, (list, tuple)):
        count = _t(elements[0]).shape[0]
        return F.stack([_t(function([e[i] for e in elements])) for i in range(count)], 0)
    return F.stack([_t(function(row)) for row in _t(elements)], 0)


def map(f, xs):  # noqa: A001
    return F.stack([_t(f(row)) for row in _t(xs)], 0)
