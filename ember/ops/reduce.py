"""Reductions with PyTorch's ``dim``/``keepdim``: sums, means, extrema, arg-extrema, variance,
norms, ``logsumexp`` and ``cumsum``."""
from __future__ import annotations

import builtins
import math
from collections import namedtuple

import numpy

from .. import backend
from ..errors import DTypeError, EmberIndexError, EmberValueError
from ..tensor import Tensor
from ..primitives import reduce as R
from ._operands import _axes, _float, _tensor, cast
from .elementwise import abs, clone, exp, log, maximum, minimum, pow, sqrt, where
from .comparison import isfinite, ne
from ..primitives.core import bind
from ..primitives.rules import normalize_axis
from .shape import reshape, squeeze, take_along_dim


def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
    if dim is None and dtype is None and isinstance(input, Tensor) and input._data.dtype.kind in "fc":
        return bind(R.Sum, (input,), (None, keepdim))  # the common whole sum: no axis or dtype work
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x._data.dtype.kind in "iub":
        x = cast(x, backend.int64)
    return bind(R.Sum, (x,), (_axes("sum", dim, x.ndim), keepdim))


def _count(shape, axes) -> int:
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Arithmetic mean over ``dim``; integer inputs need an explicit floating ``dtype``."""
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    if x._data.dtype.kind not in "fc":
        raise DTypeError(f"mean(): could not infer output dtype. Input dtype must be floating point or complex, "
                         f"got {x.dtype}; pass dtype= or convert with .float()")
    axes = _axes("mean", dim, x.ndim)
    if x._data.dtype == numpy.float16:  # a float16 sum of 5,000 values of 30 overflows: PyTorch accumulates in float32
        return cast(mean(cast(x, backend.float32), axes, keepdim), x.dtype)
    return bind(R.Sum, (x,), (axes, keepdim)) / _count(x.shape, axes)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product over ``dim`` (a single int in PyTorch; any sequence here)."""
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x._data.dtype.kind in "iub":
        x = cast(x, backend.int64)
    elif x._data.dtype.kind == "c":  # its VJP has no conjugates yet
        from .complex_parts import refuse_complex
        refuse_complex("prod", x)
    return bind(R.Prod, (x,), (_axes("prod", dim, x.ndim), keepdim))


def _nonempty(op, x, axes):
    if x._data.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
        raise EmberIndexError(f"{op}(): cannot reduce over an empty dimension of a tensor of shape "
                              f"{x.shape}: the result has no identity")


def amax(input, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all by default); tied maxima share the gradient evenly."""
    x = _ordered_operand("amax", input)
    axes = _axes("amax", dim, x.ndim)
    _nonempty("amax", x, axes)
    return bind(R.Amax, (x,), (axes, keepdim))


def amin(input, dim=(), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all by default); tied minima share the gradient evenly."""
    x = _ordered_operand("amin", input)
    axes = _axes("amin", dim, x.ndim)
    _nonempty("amin", x, axes)
    return bind(R.Amin, (x,), (axes, keepdim))


def _ordered_operand(op, input) -> Tensor:
    """The operand of an order-based reduction: complex numbers have no order (as in PyTorch)."""
    x = _tensor(input)
    if x._data.dtype.kind == "c":
        from .complex_parts import refuse_complex
        refuse_complex(op, x)
    return x


ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _extremum(op, pick, reduce_all, input, dim, keepdim, other):
    if isinstance(dim, Tensor) or other is not None:  # the binary form: max(a, b)
        return (maximum if op == "max" else minimum)(input, dim if other is None else other)
    x = _tensor(input)
    if dim is None:
        return reduce_all(x)
    axis = normalize_axis(op, dim, x.ndim)
    _nonempty(op, x, (axis,))
    indices = pick(x, axis, keepdim=True)
    values = take_along_dim(x, indices, axis) if x.ndim else x
    if not keepdim:
        values, indices = squeeze(values, axis), squeeze(indices, axis)
    return ValuesIndices(values, indices)


def max(input, dim=None, keepdim: bool = False, *, other=None):
    """``max(x)``: the maximum; ``max(x, dim)``: (values, indices); ``max(a, b)``: elementwise."""
    return _extremum("max", argmax, amax, input, dim, keepdim, other)


def min(input, dim=None, keepdim: bool = False, *, other=None):
    """``min(x)``: the minimum; ``min(x, dim)``: (values, indices); ``min(a, b)``: elementwise."""
    return _extremum("min", argmin, amin, input, dim, keepdim, other)


def _arg(prim, op, input, dim, keepdim):
    x = _ordered_operand(op, input)
    axis = None if dim is None else normalize_axis(op, dim, x.ndim)
    if x.ndim == 0:
        axis = None  # PyTorch accepts dim 0 on a 0-d tensor
    _nonempty(op, x, None if axis is None else (axis,))
    if axis is None and keepdim:
        flat_index = bind(prim, (x,), (None, False))
        return reshape(flat_index, (1,) * x.ndim)
    return bind(prim, (x,), (axis, keepdim))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the first maximum (over the flattened tensor when ``dim`` is None)."""
    return _arg(R.Argmax, "argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the first minimum (over the flattened tensor when ``dim`` is None)."""
    return _arg(R.Argmin, "argmin", input, dim, keepdim)


def all(input, dim=None, keepdim: bool = False) -> Tensor:
    x = _tensor(input)
    return bind(R.All, (x,), (_axes("all", dim, x.ndim), keepdim))


def any(input, dim=None, keepdim: bool = False) -> Tensor:
    x = _tensor(input)
    return bind(R.Any, (x,), (_axes("any", dim, x.ndim), keepdim))


def var(input, dim=None, *, correction=1, keepdim: bool = False, unbiased=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default, as in PyTorch)."""
    if unbiased is not None:
        correction = int(unbiased)
    x = _float(input, "var")
    axes = _axes("var", dim, x.ndim)
    if x._data.dtype == numpy.float16:  # accumulate in float32, as PyTorch does
        return cast(var(cast(x, backend.float32), axes, correction=correction, keepdim=keepdim), x.dtype)
    centered = x - mean(x, axes, keepdim=True)
    count = _count(x.shape, axes)
    return sum(centered * centered, axes, keepdim) / builtins.max(count - correction, 0)


def std(input, dim=None, *, correction=1, keepdim: bool = False, unbiased=None) -> Tensor:
    """Standard deviation: the square root of :func:`var` (gradient 0 where it is 0, as in PyTorch)."""
    return _root_of_sum(var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased), 2)


def var_mean(input, dim=None, *, correction=1, keepdim: bool = False):
    return var(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)


def logsumexp(input, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, without overflow."""
    x = _float(input, "logsumexp")
    axes = _axes("logsumexp", dim, x.ndim)
    shift = amax(x.detach(), axes, keepdim=True) if x._data.size else zeros_like_tensor(x, axes)
    shift = where(isfinite(shift), shift, 0.0)  # all -inf rows stay -inf instead of nan
    result = log(sum(exp(x - shift), axes, keepdim=True)) + shift
    return result if keepdim else _squeeze_axes(result, axes, x.ndim)


def zeros_like_tensor(x, axes):
    from ..primitives.rules import reduced_shape
    xp = backend.namespace_of(x._data)
    return Tensor._make(xp.zeros(reduced_shape(x.shape, axes, True), x._data.dtype), None, False)


def _squeeze_axes(x, axes, ndim):
    from ..primitives.rules import reduced_shape
    shape = reduced_shape(x.shape, axes if axes is not None else tuple(range(ndim)), False)
    return reshape(x, shape)


def norm(input, p="fro", dim=None, keepdim: bool = False) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default): p = 'fro', 2, 1, inf, -inf or any number."""
    x = _float(input, "norm")
    if x._data.dtype == numpy.float16:  # accumulate in float32, as PyTorch does
        return cast(norm(cast(x, backend.float32), p, dim, keepdim), x.dtype)
    if p in ("fro", 2, 2.0):
        return _root_of_sum(sum(x * x, dim, keepdim), 2)
    if p in (1, 1.0):
        return sum(abs(x), dim, keepdim)
    if p == math.inf:
        return amax(abs(x), dim if dim is not None else (), keepdim)
    if p == -math.inf:
        return amin(abs(x), dim if dim is not None else (), keepdim)
    if isinstance(p, str):
        raise EmberValueError(f"norm: unsupported p={p!r}")
    if p == 0:  # the number of non-zero elements
        return sum(cast(ne(x, 0), x.dtype), dim, keepdim)
    return _root_of_sum(sum(pow(abs(x), p), dim, keepdim), p)


def _root_of_sum(total, p) -> Tensor:
    """``total ** (1/p)`` whose gradient is 0 (not nan) where ``total`` is 0, as PyTorch's norms."""
    zero = total == 0
    safe = where(zero, 1.0, total)
    root = sqrt(safe) if p == 2 else pow(safe, 1.0 / p)
    return where(zero, 0.0, root)


def cumsum(input, dim: int, *, dtype=None) -> Tensor:
    """Running sum along ``dim``; integers accumulate as int64."""
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x._data.dtype.kind in "iub":
        x = cast(x, backend.int64)
    axis = normalize_axis("cumsum", dim, x.ndim)
    if x.ndim == 0:  # the running sum of one element is itself (a copy, as in PyTorch)
        return clone(x)
    return bind(R.Cumsum, (x,), (axis,))


def count_nonzero(input, dim=None) -> Tensor:
    return sum(ne(input, 0), dim)

