"""Still more of ``keras.ops``: inverse trigonometry, NaN-ignoring reductions, linear algebra,
window functions, scatter and slice updates, ``dot_product_attention``, FFTs on Keras's
``(real, imag)`` pairs, complex views, segment minima and products, and a few others.

Each is a composite of Ember functions (so gradients and tracing come with them), with
Keras 3's argument names, defaults and result dtypes on its torch backend, the reference
the tests compare with.

Example:
    >>> from ember.keras import ops
    >>> x = ops.convert_to_tensor([1.0, float("nan"), 3.0])
    >>> ops.nansum(x).item(), ops.nanmax(x).item(), round(ops.arctan2(1.0, 1.0).item() * 4, 6)
    (4.0, 3.0, 3.141593)
    >>> ops.scatter([[0, 1], [1, 0]], [5.0, 7.0], (2, 2)).tolist()
    [[0.0, 5.0], [7.0, 0.0]]
"""
from __future__ import annotations

import math

import numpy

import ember
from ember.ops import functions as F
import ember.nn.functional as NF

from .numpy_ops import _axis, _float_result, _t


# --- elementwise --------------------------------------------------------------------------------
def _unary(function):
    def op(x):
        return function(_float_result(_t(x)))
    return op


arccos, arcsin, arctan = _unary(ember.acos), _unary(ember.asin), _unary(ember.atan)
arccosh, arcsinh, arctanh = _unary(ember.acosh), _unary(ember.asinh), _unary(ember.atanh)
erfinv, i0 = _unary(ember.erfinv), _unary(ember.i0)
for _op, _name in ((arccos, "arccos"), (arcsin, "arcsin"), (arctan, "arctan"), (arccosh, "arccosh"),
                   (arcsinh, "arcsinh"), (arctanh, "arctanh"), (erfinv, "erfinv"), (i0, "i0")):
    _op.__name__ = _op.__qualname__ = _name


def _float_pair(x1, x2):
    x1, x2 = _float_result(_t(x1)), _float_result(_t(x2))
    dtype = ember.promote_types(x1.dtype, x2.dtype)
    return F.cast(x1, dtype), F.cast(x2, dtype)


def arctan2(x1, x2):
    return ember.atan2(*_float_pair(x1, x2))


def logaddexp2(x1, x2):
    return ember.logaddexp2(*_float_pair(x1, x2))


def ldexp(x1, x2):
    """``x1 * 2 ** x2`` (``x2`` integers)."""
    x1 = _float_result(_t(x1))
    return x1 * F.cast(2.0 ** F.cast(_t(x2), "float32"), x1.dtype)


def fmax(x1, x2):
    """The larger value, a NaN losing to a number (NumPy's fmax)."""
    x1, x2 = _t(x1), _t(x2)
    return ember.where(ember.isnan(x1), x2, ember.where(ember.isnan(x2), x1, ember.maximum(x1, x2)))


def fmin(x1, x2):
    """The smaller value, a NaN losing to a number (NumPy's fmin)."""
    x1, x2 = _t(x1), _t(x2)
    return ember.where(ember.isnan(x1), x2, ember.where(ember.isnan(x2), x1, ember.minimum(x1, x2)))


def isneginf(x):
    x = _t(x)
    return ember.logical_and(ember.isinf(x), x < 0) if x.dtype.is_floating_point else ember.zeros_like(x, dtype="bool")


def isposinf(x):
    x = _t(x)
    return ember.logical_and(ember.isinf(x), x > 0) if x.dtype.is_floating_point else ember.zeros_like(x, dtype="bool")


def real(x):
    x = _t(x)
    return ember.real(x) if x.dtype.is_complex else x


def imag(x):
    x = _t(x)
    return ember.imag(x) if x.dtype.is_complex else ember.zeros_like(x)


def conj(x):
    x = _t(x)
    return ember.conj(x) if x.dtype.is_complex else x


conjugate = conj


def isin(x1, x2, assume_unique: bool = False, invert: bool = False):
    """Whether each element of ``x1`` occurs in ``x2``."""
    x1, x2 = _t(x1), F.reshape(_t(x2), (-1,))
    found = ember.any(F.unsqueeze(x1, -1) == x2, -1)
    return ember.logical_not(found) if invert else found


# --- NaN-ignoring reductions ---------------------------------------------------------------------
def _without_nan(x, fill):
    x = _t(x)
    if not x.dtype.is_floating_point:
        return x, None
    missing = ember.isnan(x)
    return ember.where(missing, ember.full_like(x, fill), x), missing


def nansum(x, axis=None, keepdims: bool = False):
    value, _ = _without_nan(x, 0.0)
    return F.sum(value, _axis(axis), keepdims)


def nanprod(x, axis=None, keepdims: bool = False):
    value, _ = _without_nan(x, 1.0)
    return F.prod(value, _axis(axis), keepdims) if _axis(axis) is None or isinstance(axis, int) else \
        _prod_over(value, _axis(axis), keepdims)


def _prod_over(value, axes, keepdims):
    for axis in sorted((a % value.ndim for a in axes), reverse=True):
        value = F.prod(value, axis, keepdims)
    return value


def _nan_count(missing, axis, keepdims):
    return F.sum(F.cast(ember.logical_not(missing), "float32"), _axis(axis), keepdims)


def nanmean(x, axis=None, keepdims: bool = False):
    value, missing = _without_nan(_float_result(_t(x)), 0.0)
    return F.sum(value, _axis(axis), keepdims) / F.cast(_nan_count(missing, axis, keepdims), value.dtype)


def nanvar(x, axis=None, keepdims: bool = False):
    x = _float_result(_t(x))
    centred = x - nanmean(x, axis, keepdims=True)
    return nanmean(centred * centred, axis, keepdims)


def nanstd(x, axis=None, keepdims: bool = False):
    return ember.sqrt(nanvar(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, reduce, fill):
    value, missing = _without_nan(x, fill)
    result = reduce(value, _axis(axis), keepdims)
    if missing is None:
        return result
    all_missing = ember.all(missing, _axis(axis), keepdims) if axis is not None else ember.all(missing)
    return ember.where(all_missing, ember.full_like(result, math.nan), result)


def nanmax(x, axis=None, keepdims: bool = False):
    return _nan_extreme(x, axis, keepdims, ember.amax, -math.inf)


def nanmin(x, axis=None, keepdims: bool = False):
    return _nan_extreme(x, axis, keepdims, ember.amin, math.inf)


def nanargmax(x, axis=None, keepdims: bool = False):
    value, _ = _without_nan(x, -math.inf)
    return F.cast(ember.argmax(value, axis, keepdims), "int32")


def nanargmin(x, axis=None, keepdims: bool = False):
    value, _ = _without_nan(x, math.inf)
    return F.cast(ember.argmin(value, axis, keepdims), "int32")


def nancumsum(x, axis=None, dtype=None):
    value, _ = _without_nan(x, 0.0)
    result = ember.cumsum(F.reshape(value, (-1,)) if axis is None else value, 0 if axis is None else axis)
    return result if dtype is None else F.cast(result, dtype)


def nancumprod(x, axis=None, dtype=None):
    value, _ = _without_nan(x, 1.0)
    result = ember.cumprod(F.reshape(value, (-1,)) if axis is None else value, 0 if axis is None else axis)
    return result if dtype is None else F.cast(result, dtype)


def nanquantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    x = _float_result(_t(x))
    return ember.nanquantile(x, _t(q).to(x.dtype), dim=_axis(axis), keepdim=keepdims, interpolation=method)


def nanpercentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    return nanquantile(x, _t(q) / 100.0, axis, method, keepdims)


def nanmedian(x, axis=None, keepdims: bool = False):
    return nanquantile(x, 0.5, axis, "linear", keepdims)


# --- linear algebra ------------------------------------------------------------------------------
def cholesky(x, upper: bool = False):
    lower = ember.linalg.cholesky(_float_result(_t(x)))
    return F.transpose(lower, -2, -1) if upper else lower


def det(x):
    return ember.linalg.det(_float_result(_t(x)))


def inv(x):
    return ember.linalg.inv(_float_result(_t(x)))


def solve(a, b):
    return ember.linalg.solve(*_float_pair(a, b))


def solve_triangular(a, b, lower: bool = False):
    """``solve(a, b)`` reading only ``a``'s lower (or upper) triangle."""
    a, b = _float_pair(a, b)
    return ember.linalg.solve(ember.tril(a) if lower else ember.triu(a), b)


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    x = _float_result(_t(x))
    if not compute_uv:
        return ember.linalg.svdvals(x)
    return tuple(ember.linalg.svd(x, full_matrices=full_matrices))


def qr(x, mode: str = "reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of {{'reduced', 'complete'}}. "
                         f"Received: mode={mode}")
    return tuple(ember.linalg.qr(_float_result(_t(x)), mode=mode))


def eigh(x):
    return tuple(ember.linalg.eigh(_float_result(_t(x))))


def slogdet(x):
    return tuple(ember.linalg.slogdet(_float_result(_t(x))))


def logdet(x):
    return ember.logdet(_float_result(_t(x)))


def pinv(x):
    return ember.linalg.pinv(_float_result(_t(x)))


def lstsq(a, b, rcond=None):
    return ember.linalg.lstsq(*_float_pair(a, b), rcond=rcond)[0]


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None):
    """The cross product of 3-vectors along ``axis`` (or ``axisa``/``axisb``, result on ``axisc``)."""
    x1, x2 = _t(x1), _t(x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = F.movedim(x1, axisa, -1), F.movedim(x2, axisb, -1)
    shape = numpy.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    result = ember.linalg.cross(ember.broadcast_to(x1, shape), ember.broadcast_to(x2, shape), dim=-1)
    return F.movedim(result, -1, axisc)


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` and of ``y`` (batched)."""
    return ember.cdist(*_float_pair(x, y))


# --- creation, windows, indices --------------------------------------------------------------------
def diagflat(x, k: int = 0):
    return ember.diag(F.reshape(_t(x), (-1,)), k)


def _window(length: int, cosines) -> ember.Tensor:
    if length <= 1:
        return ember.ones(max(length, 0))
    phase = ember.arange(length, dtype=ember.float32) * (2.0 * math.pi / (length - 1))
    result = ember.zeros(length)
    for harmonic, weight in enumerate(cosines):
        result = result + weight * ember.cos(phase * harmonic)
    return result


def hamming(x):
    return _window(int(x), (0.54, -0.46))


def hanning(x):
    return _window(int(x), (0.5, -0.5))


def blackman(x):
    return _window(int(x), (0.42, -0.5, 0.08))


def bartlett(x):
    length = int(x)
    if length <= 1:
        return ember.ones(max(length, 0))
    n = ember.arange(length, dtype=ember.float32)
    return 1.0 - ember.abs(2.0 * n / (length - 1) - 1.0)


def kaiser(x, beta):
    length = int(x)
    if length <= 1:
        return ember.ones(max(length, 0))
    n = ember.arange(length, dtype=ember.float32)
    ratio = 2.0 * n / (length - 1) - 1.0
    beta = F.cast(_t(beta), "float32")
    return ember.i0(beta * ember.sqrt(ember.clamp(1.0 - ratio * ratio, min=0.0))) / ember.i0(beta)


def unravel_index(indices, shape):
    """Flat indices into a tuple of coordinate tensors, one per dimension of ``shape``."""
    remaining, coordinates = _t(indices), []
    for size in reversed(tuple(shape)):
        coordinates.append(F.cast(remaining % size, "int32"))  # Keras's index dtype
        remaining = remaining // size
    return tuple(reversed(coordinates))


# --- scatter and slice updates --------------------------------------------------------------------
def _flat_positions(indices, shape):
    """``(N, k)`` integer indices into the first ``k`` dimensions of ``shape``, as flat positions."""
    indices = F.cast(_t(indices), "int64")
    if indices.ndim == 1:
        indices = F.unsqueeze(indices, -1)
    depth = indices.shape[-1]
    flat = ember.zeros(tuple(indices.shape[:-1]), dtype=ember.int64)
    for dim in range(depth):
        flat = flat * int(shape[dim]) + indices[..., dim]
    return F.reshape(flat, (-1,)), depth


def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates summed)."""
    shape, values = tuple(int(s) for s in shape), _t(values)
    positions, depth = _flat_positions(indices, shape)
    rows = math.prod(shape[:depth])
    values = F.reshape(values, (positions.shape[0],) + shape[depth:])
    return F.reshape(ember.index_add(ember.zeros((rows,) + shape[depth:], dtype=values.dtype), 0, positions, values),
                     shape)


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with the entries at ``indices`` replaced by ``updates`` (``reduction=None``)."""
    if reduction is not None:
        raise ValueError(f"scatter_update: reduction={reduction!r} is not supported (only None)")
    inputs = _t(inputs)
    shape = tuple(inputs.shape)
    positions, depth = _flat_positions(indices, shape)
    rows = math.prod(shape[:depth])
    updates = F.cast(F.reshape(_t(updates), (positions.shape[0],) + shape[depth:]), inputs.dtype)
    flat = F.reshape(inputs, (rows,) + shape[depth:])
    return F.reshape(ember.index_copy(flat, 0, positions, updates), shape)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block starting at ``start_indices`` replaced by ``updates``."""
    inputs, updates = _t(inputs), _t(updates)
    starts = [int(s) for s in (start_indices.tolist() if isinstance(start_indices, ember.Tensor) else start_indices)]
    padding = []
    for size, start, length in reversed(list(zip(inputs.shape, starts, updates.shape))):
        padding += [start, size - start - length]
    placed = NF.pad(F.cast(updates, inputs.dtype), padding)
    inside = NF.pad(ember.ones(tuple(updates.shape)), padding) > 0.5
    return ember.where(inside, placed, inputs)


# --- shapes -------------------------------------------------------------------------------------
def dsplit(x, indices_or_sections):
    from .numpy_ops import split
    return split(x, indices_or_sections, axis=2)


def depth_to_space(x, block_size: int, data_format: str = "channels_last"):
    """Moves ``block_size²`` channel groups into space: ``(N, H, W, C·b²) → (N, H·b, W·b, C)``."""
    x, b = _t(x), int(block_size)
    if data_format == "channels_first":
        x = F.permute(x, (0, 2, 3, 1))
    n, h, w, c = x.shape
    x = F.reshape(x, (n, h, w, b, b, c // (b * b)))
    x = F.reshape(F.permute(x, (0, 1, 3, 2, 4, 5)), (n, h * b, w * b, c // (b * b)))
    return F.permute(x, (0, 3, 1, 2)) if data_format == "channels_first" else x


def space_to_depth(x, block_size: int, data_format: str = "channels_last"):
    """The inverse of :func:`depth_to_space`: ``(N, H·b, W·b, C) → (N, H, W, C·b²)``."""
    x, b = _t(x), int(block_size)
    if data_format == "channels_first":
        x = F.permute(x, (0, 2, 3, 1))
    n, h, w, c = x.shape
    x = F.reshape(x, (n, h // b, b, w // b, b, c))
    x = F.reshape(F.permute(x, (0, 1, 3, 2, 4, 5)), (n, h // b, w // b, b * b * c))
    return F.permute(x, (0, 3, 1, 2)) if data_format == "channels_first" else x


def saturate_cast(x, dtype):
    """Cast, clipping to ``dtype``'s range first (no wrap-around for integers)."""
    x, target = _t(x), ember.as_dtype(dtype)
    if not target.is_floating_point and target != ember.bool:
        info = numpy.iinfo(target.name)
        if x.dtype.is_floating_point:
            x = ember.clamp(x, float(info.min), float(info.max))
        else:
            x = ember.clamp(x, int(info.min), int(info.max))
    return F.cast(x, target)


# --- neural-network functions ----------------------------------------------------------------------
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding: str = "valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution, then a 1x1 (pointwise) one mixing the channels."""
    from .extra_ops import conv, depthwise_conv
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def sparsemax(x, axis: int = -1):
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection onto the simplex.

    Each slice sums to 1, as the paper defines it. Keras 3.15 on torch computes its threshold
    from the sum of the supported cumulative sums instead of the last one, so its rows
    need not sum to 1; Ember keeps the paper's definition.
    """
    x = _float_result(_t(x))
    moved = F.movedim(x, axis, -1)
    ordered = ember.flip(ember.sort(moved, -1)[0], (-1,))
    ranks = ember.arange(1, moved.shape[-1] + 1, dtype=moved.dtype)
    cumulative = ember.cumsum(ordered, -1)
    support = F.cast(1.0 + ranks * ordered > cumulative, moved.dtype)
    count = F.sum(support, -1, True)
    threshold = (F.sum(support * ordered, -1, True) - 1.0) / count
    return F.movedim(ember.relu(moved - threshold), -1, axis)


def sparse_sigmoid(x):
    """``0`` below -1, ``1`` above 1, ``(x + 1) / 2`` between."""
    return ember.clamp((_float_result(_t(x)) + 1.0) * 0.5, 0.0, 1.0)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal: bool = False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Keras's attention on ``(batch, length, heads, depth)`` tensors (``mask`` True = attend)."""
    query, key, value = _t(query), _t(key), _t(value)
    depth = query.shape[-1]
    scale = 1.0 / math.sqrt(depth) if scale is None else float(scale)
    logits = ember.einsum("btnh,bsnh->bnts", query, key) * scale
    if attn_logits_soft_cap is not None:
        logits = ember.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
    if bias is not None:
        logits = logits + _t(bias)
    allowed = None if mask is None else F.cast(_t(mask), "bool")
    if is_causal:
        length, source = logits.shape[-2], logits.shape[-1]
        causal = ember.tril(ember.ones((length, source), dtype=ember.bool))
        allowed = causal if allowed is None else ember.logical_and(allowed, causal)
    if allowed is not None:
        logits = ember.where(allowed, logits, ember.full_like(logits, float(numpy.finfo(logits.dtype.name).min)))
    weights = ember.softmax(logits, -1)
    return ember.einsum("bnts,bsnh->btnh", weights, value)


# --- complex numbers and FFTs (Keras passes complex values as (real, imaginary) pairs) ----------------
def angle(x):
    return ember.angle(_float_result(_t(x)))


def isreal(x):
    x = _t(x)
    return ember.imag(x) == 0 if x.dtype.is_complex else ember.ones(tuple(x.shape), dtype=ember.bool)


def polar(abs_, angle):
    return ember.polar(*_float_pair(abs_, angle))


def view_as_real(x):
    return ember.view_as_real(_t(x))


def view_as_complex(x):
    return ember.view_as_complex(_float_result(_t(x)))


def _complex(x):
    real_part, imaginary_part = x
    return ember.complex(*_float_pair(real_part, imaginary_part))


def _pair(value):
    return ember.real(value), ember.imag(value)


def fft(x):
    """The FFT over the last axis of ``(real, imag)``; returns ``(real, imag)``."""
    return _pair(ember.fft.fft(_complex(x)))


def fft2(x):
    return _pair(ember.fft.fft2(_complex(x)))


def ifft2(x):
    return _pair(ember.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _pair(ember.fft.rfft(_float_result(_t(x)), n=fft_length))


def irfft(x, fft_length=None):
    return ember.fft.irfft(_complex(x), n=fft_length)


# --- more NumPy-like functions ------------------------------------------------------------------
def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1):
    y = _float_result(_t(y))
    if x is not None:
        return ember.trapezoid(y, F.cast(_t(x), y.dtype), dim=axis)
    return ember.trapezoid(y, dx=dx, dim=axis)


def vander(x, N=None, increasing: bool = False):  # noqa: N803  (NumPy's and Keras's name)
    return ember.vander(_t(x), N, increasing)


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0):
    """``num`` numbers evenly spaced on a log scale (the ends exact, as NumPy)."""
    start, stop = float(start), float(stop)
    if start == 0 or stop == 0 or (start < 0) != (stop < 0):
        raise ValueError(f"geomspace: start and stop must be non-zero and of one sign; got {start}, {stop}")
    sign = -1.0 if start < 0 else 1.0
    count = num if endpoint else num + 1
    exponents = ember.linspace(math.log10(abs(start)), math.log10(abs(stop)), count, dtype=ember.float64)[:num]
    values = sign * 10.0 ** exponents
    ends = [0] + ([num - 1] if endpoint and num > 1 else [])
    exact = ember.tensor([start, stop][:len(ends)], dtype=ember.float64)
    values = ember.index_copy(values, 0, ember.tensor(ends), exact)
    return F.cast(values, dtype or "float32")


def corrcoef(x):
    return ember.corrcoef(_float_result(_t(x)))


def _segment_reduce(data, segment_ids, num_segments, reduce, empty):
    values, ids = _t(data), numpy.asarray(_t(segment_ids).detach()).astype("int64")
    count = int(num_segments) if num_segments is not None else int(ids.max()) + 1
    rows = []
    for segment in range(count):
        members = numpy.nonzero(ids == segment)[0]
        rows.append(reduce(values[_t(members.astype("int64"))]) if members.size else
                    ember.full(tuple(values.shape[1:]), empty(values.dtype), dtype=values.dtype))
    return F.stack(rows, 0)


def segment_min(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """The smallest row of each segment (an empty one: inf, or an integer dtype's largest value, as Keras)."""
    def largest(dtype):
        return math.inf if dtype.is_floating_point else int(numpy.iinfo(dtype.name).max)
    return _segment_reduce(data, segment_ids, num_segments, lambda rows: F.amin(rows, 0), largest)


def segment_prod(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """The product of each segment's rows (an empty one: 1)."""
    return _segment_reduce(data, segment_ids, num_segments, lambda rows: F.prod(rows, 0), lambda dtype: 1)


__all__ = [name for name in dir() if not name.startswith("_") and callable(globals()[name])
           and name not in ("annotations", "ember", "math", "F", "NF")]
