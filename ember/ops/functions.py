"""The public operations: PyTorch-named functions composed from primitives.

This layer owns PyTorch's calling conventions (``dim``/``keepdim``, 1-D
matmul rules, Python scalars, dtype promotion); the primitives underneath see
normalised arguments only. Everything here gets its gradient from the
primitives it calls, so no function in this file has a backward rule.
"""
from __future__ import annotations

import builtins
import math
import numbers
from collections import namedtuple

import numpy

from .. import backend
from ..backend import as_dtype, get_default_dtype, result_type
from ..errors import DTypeError, EmberIndexError, EmberValueError, ShapeError
from ..tensor import Tensor
from . import elementwise as E
from . import linalg as L
from . import reduce as R
from . import shape as S
from .creation import to_array
from ..autograd.grad_mode import state as _grad_state
from .primitive import bind, dispatch, explain_failure
from .rules import normalize_axis

_SCALARS = (int, float, bool)


# --- operand handling -------------------------------------------------------
def _tensor(value) -> Tensor:
    """Any array-like as a Tensor (tensors pass through)."""
    if type(value) is Tensor or isinstance(value, Tensor):
        return value
    return Tensor._make(to_array(value), None, False)


def _operand(value):
    """A tensor or a Python scalar; NumPy scalars become Python scalars."""
    if type(value) is Tensor or type(value) in _SCALARS or isinstance(value, Tensor):
        return value
    if isinstance(value, numbers.Number) and not isinstance(value, numpy.ndarray):
        return value.item() if hasattr(value, "item") else value
    return _tensor(value)


def _promote(*operands):
    """Cast tensor operands to PyTorch's result dtype; keep scalars that fit it."""
    shaped, zero_dim, scalars = [], [], []
    for value in operands:
        if isinstance(value, Tensor):
            (shaped if value._data.ndim else zero_dim).append(value.dtype)
        else:
            scalars.append(value)
    target = result_type(shaped, zero_dim, scalars)
    return tuple(_as(value, target) for value in operands), target


def _as(value, dtype):
    if isinstance(value, Tensor) and value._data.dtype != dtype.numpy:
        return cast(value, dtype)
    if type(value) is int and dtype.numpy.kind in "iu":
        return _wrapped(value, dtype.numpy)
    return value  # NumPy treats Python scalars as weakly typed, like PyTorch


def _wrapped(value: int, dtype) -> int:
    """An int outside an integer dtype's range, wrapped into it as PyTorch does (NumPy 2 raises)."""
    limits = numpy.iinfo(dtype)
    if limits.min <= value <= limits.max:
        return value
    return int(numpy.array(value % 2 ** 64, numpy.uint64).astype(dtype))


def _binary(prim, a, b):
    """Run a binary elementwise primitive with PyTorch's promotion."""
    type_a, type_b = type(a), type(b)
    if type_a is Tensor and type_b is Tensor and a._data.dtype is b._data.dtype:
        return bind(prim, (a, b))
    if type_a is Tensor and type_b in (int, float) and a._data.dtype.kind == "f":
        return bind(prim, (a, b))
    if type_b is Tensor and type_a in (int, float) and b._data.dtype.kind == "f":
        return bind(prim, (a, b))
    a, b = _operand(a), _operand(b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _tensor(a)
    (a, b), _ = _promote(a, b)
    return bind(prim, (a, b))


def full_scalar(value, like: Tensor) -> Tensor:
    """A 0-d tensor of ``like``'s dtype holding a Python scalar."""
    return Tensor._make(backend.xp.asarray(value, dtype=like._data.dtype), None, False)


def _float(x) -> Tensor:
    """Integer and bool inputs of float-only math become the default float dtype (as in PyTorch)."""
    x = _tensor(x)
    if x._data.dtype.kind == "f":
        return x
    return cast(x, get_default_dtype())


# --- elementwise arithmetic -------------------------------------------------
def add(input, other, *, alpha=1) -> Tensor:
    """``input + alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.add, input, other)


def sub(input, other, *, alpha=1) -> Tensor:
    """``input - alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.sub, input, other)


def mul(input, other) -> Tensor:
    """Elementwise product with broadcasting."""
    return _binary(E.mul, input, other)


def div(input, other, *, rounding_mode=None) -> Tensor:
    """True division (integers give the default float), or ``'floor'``/``'trunc'`` rounding."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        quotient = div(input, other)
        result = where(quotient < 0, ceil(quotient), floor(quotient))
        return result if _is_float(input) or _is_float(other) else cast(result, _promote(_operand(input), _operand(other))[1])
    input, other = _operand(input), _operand(other)
    (input, other), dtype = _promote(input, other)
    if not dtype.is_floating_point:
        input = _float(input) if isinstance(input, Tensor) else float(input)
        other = _float(other) if isinstance(other, Tensor) else float(other)
    return _binary(E.div, input, other)


def _is_float(value) -> bool:
    return isinstance(value, float) or isinstance(value, Tensor) and value._data.dtype.kind == "f"


true_divide = div


def floor_divide(input, other) -> Tensor:
    """Division rounded towards negative infinity."""
    return _binary(E.floor_divide, input, other)


def remainder(input, other) -> Tensor:
    """Python-style modulus: the result has the sign of ``other``."""
    return _binary(E.remainder, input, other)


def pow(input, exponent) -> Tensor:
    """``input ** exponent`` with broadcasting."""
    return _binary(E.pow_, input, exponent)


def maximum(input, other) -> Tensor:
    """Elementwise maximum (ties split the gradient)."""
    return _binary(E.maximum, input, other)


def minimum(input, other) -> Tensor:
    """Elementwise minimum (ties split the gradient)."""
    return _binary(E.minimum, input, other)


def neg(input) -> Tensor:
    return bind(E.neg, (_tensor(input),))


negative = neg


def abs(input) -> Tensor:
    return bind(E.abs_, (_tensor(input),))


def sign(input) -> Tensor:
    return bind(E.sign, (_tensor(input),))


def square(input) -> Tensor:
    return mul(input, input)


def reciprocal(input) -> Tensor:
    return div(1.0, _float(input))


def _float_unary(prim, doc):
    def function(input) -> Tensor:
        return bind(prim, (_float(input),))
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


exp = _float_unary(E.exp, "Elementwise e**x.")
log = _float_unary(E.log, "Natural logarithm.")
log1p = _float_unary(E.log1p, "log(1 + x), accurate near 0.")
expm1 = _float_unary(E.expm1, "exp(x) - 1, accurate near 0.")
sqrt = _float_unary(E.sqrt, "Square root.")
sin = _float_unary(E.sin, "Sine.")
cos = _float_unary(E.cos, "Cosine.")
tan = _float_unary(E.tan, "Tangent.")
tanh = _float_unary(E.tanh, "Hyperbolic tangent.")
sigmoid = _float_unary(E.sigmoid, "The logistic function 1 / (1 + e**-x), computed without overflow.")
erf = _float_unary(E.erf, "The error function.")


def rsqrt(input) -> Tensor:
    """1 / sqrt(x)."""
    return reciprocal(sqrt(input))


def log2(input) -> Tensor:
    return log(input) / math.log(2.0)


def log10(input) -> Tensor:
    return log(input) / math.log(10.0)


def relu(input) -> Tensor:
    """max(x, 0); its gradient at 0 is 0, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.relu(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return bind(E.relu, (_tensor(input),))


def gelu(input, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: exact (erf) or ``approximate='tanh'``."""
    x = _float(input)
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + tanh(inner))
    if approximate != "none":
        raise EmberValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


def silu(input) -> Tensor:
    """x * sigmoid(x) (a.k.a. swish)."""
    x = _float(input)
    return x * sigmoid(x)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e**(beta x)) / beta, linear above ``threshold`` as in PyTorch; never overflows."""
    x = _float(input)
    scaled = x * beta
    # maximum (not relu) so the gradient at 0 is 1/2: ties split it, as the true derivative says
    smooth = (maximum(scaled, 0.0) + log1p(exp(-abs(scaled)))) / beta
    return where(scaled > threshold, x, smooth)


def floor(input) -> Tensor:
    x = _tensor(input)
    return x if x._data.dtype.kind in "iub" else bind(E.floor, (x,))


def ceil(input) -> Tensor:
    x = _tensor(input)
    return x if x._data.dtype.kind in "iub" else bind(E.ceil, (x,))


def round(input, *, decimals: int = 0) -> Tensor:
    """Round half to even, as PyTorch does; ``decimals`` shifts the rounding position."""
    x = _tensor(input)
    if x._data.dtype.kind in "iub":
        return x
    if decimals:
        scale = 10.0 ** decimals
        return bind(E.round_, (x * scale,)) / scale
    return bind(E.round_, (x,))


def clamp(input, min=None, max=None) -> Tensor:
    """Limit values to [min, max]; the gradient passes where min <= x <= max."""
    if min is None and max is None:
        raise EmberValueError("clamp: at least one of 'min' or 'max' must not be None")
    x = _tensor(input)
    if min is not None:
        x = where(x < min, _bound(min, x), x)
    if max is not None:
        x = where(x > max, _bound(max, x), x)
    return x


def _bound(value, like):
    return cast(value, like.dtype) if isinstance(value, Tensor) else value


clip = clamp


def where(condition, input, other) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (broadcast together)."""
    condition = _tensor(condition)
    if condition._data.dtype != numpy.bool_:
        raise DTypeError(f"where: expected a bool condition, got {condition.dtype}")
    input, other = _operand(input), _operand(other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = result_type([], [], [input, other])
        input = Tensor._make(backend.xp.asarray(input, dtype=dtype.numpy), None, False)
    (input, other), _ = _promote(input, other)
    return bind(E.where_p, (condition, input, other))


def cast(input, dtype) -> Tensor:
    """Convert to ``dtype`` (differentiable between floating dtypes)."""
    x = _tensor(input)
    target = as_dtype(dtype).numpy
    if x._data.dtype == target:
        return x
    return bind(E.cast_p, (x,), (target,))


def clone(input) -> Tensor:
    """A copy that shares no memory (gradients flow back through it)."""
    return bind(E.copy_p, (_tensor(input),))


# --- comparisons and logic --------------------------------------------------
def _comparison(prim, doc):
    def function(input, other) -> Tensor:
        return _binary(prim, input, other)
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


eq = _comparison(E.eq, "Elementwise ==.")
ne = _comparison(E.ne, "Elementwise !=.")
lt = _comparison(E.lt, "Elementwise <.")
le = _comparison(E.le, "Elementwise <=.")
gt = _comparison(E.gt, "Elementwise >.")
ge = _comparison(E.ge, "Elementwise >=.")
logical_and = _comparison(E.logical_and, "Elementwise logical and.")
logical_or = _comparison(E.logical_or, "Elementwise logical or.")
logical_xor = _comparison(E.logical_xor, "Elementwise logical xor.")
greater, less, equal, not_equal = gt, lt, eq, ne


def logical_not(input) -> Tensor:
    return bind(E.logical_not, (_tensor(input),))


def isnan(input) -> Tensor:
    return bind(E.isnan, (_tensor(input),))


def isinf(input) -> Tensor:
    return bind(E.isinf, (_tensor(input),))


def isfinite(input) -> Tensor:
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        return ones_like_bool(x)
    return logical_not(logical_or(isnan(x), isinf(x)))


def ones_like_bool(x: Tensor) -> Tensor:
    return Tensor._make(backend.xp.ones(x.shape, bool), None, False)


def equal_all(input, other) -> bool:
    """True if both tensors have the same shape and elements (``torch.equal``)."""
    a, b = _tensor(input), _tensor(other)
    return a.shape == b.shape and bool(backend.xp.array_equal(a._data, b._data))


def allclose(input, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    return bool(backend.xp.allclose(_tensor(input)._data, _tensor(other)._data, rtol, atol, equal_nan))


# --- reductions -------------------------------------------------------------
def _axes(op: str, dim, ndim: int):
    """PyTorch's ``dim`` (None, int or sequence) as a sorted tuple of axes, or None.

    A 0-d tensor accepts dim 0 or -1 as PyTorch does; it means "everything" (None),
    since the array itself has no axis 0.
    """
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted({normalize_axis(op, int(d), ndim) for d in dim}))
    else:
        axes = (normalize_axis(op, int(dim), ndim),)
    return axes if ndim else None


def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
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
    if x._data.dtype.kind != "f":
        raise DTypeError(f"mean(): could not infer output dtype. Input dtype must be floating point, "
                         f"got {x.dtype}; pass dtype= or convert with .float()")
    axes = _axes("mean", dim, x.ndim)
    return bind(R.Sum, (x,), (axes, keepdim)) / _count(x.shape, axes)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product over ``dim`` (a single int in PyTorch; any sequence here)."""
    x = _tensor(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x._data.dtype.kind in "iub":
        x = cast(x, backend.int64)
    return bind(R.Prod, (x,), (_axes("prod", dim, x.ndim), keepdim))


def _nonempty(op, x, axes):
    if x._data.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
        raise EmberIndexError(f"{op}(): cannot reduce over an empty dimension of a tensor of shape "
                              f"{x.shape}: the result has no identity")


def amax(input, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all by default); tied maxima share the gradient evenly."""
    x = _tensor(input)
    axes = _axes("amax", dim, x.ndim)
    _nonempty("amax", x, axes)
    return bind(R.Amax, (x,), (axes, keepdim))


def amin(input, dim=(), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all by default); tied minima share the gradient evenly."""
    x = _tensor(input)
    axes = _axes("amin", dim, x.ndim)
    _nonempty("amin", x, axes)
    return bind(R.Amin, (x,), (axes, keepdim))


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
    x = _tensor(input)
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
    x = _float(input)
    axes = _axes("var", dim, x.ndim)
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
    x = _float(input)
    axes = _axes("logsumexp", dim, x.ndim)
    shift = amax(x.detach(), axes, keepdim=True) if x._data.size else zeros_like_tensor(x, axes)
    shift = where(isfinite(shift), shift, 0.0)  # all -inf rows stay -inf instead of nan
    result = log(sum(exp(x - shift), axes, keepdim=True)) + shift
    return result if keepdim else _squeeze_axes(result, axes, x.ndim)


def zeros_like_tensor(x, axes):
    from .rules import reduced_shape
    return Tensor._make(backend.xp.zeros(reduced_shape(x.shape, axes, True), x._data.dtype), None, False)


def _squeeze_axes(x, axes, ndim):
    from .rules import reduced_shape
    shape = reduced_shape(x.shape, axes if axes is not None else tuple(range(ndim)), False)
    return reshape(x, shape)


def norm(input, p="fro", dim=None, keepdim: bool = False) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default): p = 'fro', 2, 1, inf, -inf or any number."""
    x = _float(input)
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


# --- shapes -----------------------------------------------------------------
def _shape_tuple(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _resolve_shape(op, shape, size):
    """Fill in a single -1 in ``shape`` so the sizes multiply to ``size``."""
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise ShapeError(f"{op}: only one dimension can be inferred (-1), got shape {tuple(shape)}")
    if unknown:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise ShapeError(f"{op}: shape {tuple(shape)} is invalid for input of size {size}")
        shape[unknown[0]] = size // known
    if math.prod(shape) != size or builtins.any(s < 0 for s in shape):
        raise ShapeError(f"{op}: shape {tuple(shape)} is invalid for input of size {size}")
    return tuple(shape)


def reshape(input, *shape) -> Tensor:
    """The same data with a new shape (one dimension may be -1)."""
    x = _tensor(input)
    shape = _resolve_shape("reshape", _shape_tuple(shape), x._data.size)
    if shape == x.shape:
        return x
    return bind(S.Reshape, (x,), (shape,))


def view(input, *shape) -> Tensor:
    """Like :func:`reshape`, but only when no copy is needed, as PyTorch's ``view``.

    A view shares memory with ``input``, so writes through one are seen in the
    other; when the strides do not allow that (e.g. after a transpose), this
    raises instead of silently copying. Use :func:`reshape` there.

    Example:
        >>> import ember
        >>> ember.arange(6).view(2, 3).shape
        (2, 3)
    """
    x = _tensor(input)
    target = _resolve_shape("view", _shape_tuple(shape), x._data.size)
    if dispatch.tracer is None and not _reshapes_in_place(x._data, target):
        raise ShapeError(f"view: view size {target} is not compatible with the input's shape "
                         f"{x.shape} and strides (at least one dimension spans two contiguous "
                         "subspaces); use .reshape(...) instead")
    return reshape(x, target)


def _reshapes_in_place(array, shape) -> bool:
    probe = array.view()
    try:
        probe.shape = shape  # NumPy refuses to set a shape that would need a copy
    except AttributeError:
        return False
    return True


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one."""
    x = _tensor(input)
    if x.ndim == 0:
        return reshape(x, (1,))
    start = normalize_axis("flatten", start_dim, x.ndim)
    end = normalize_axis("flatten", end_dim, x.ndim)
    if start > end:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return reshape(x, shape)


def unflatten(input, dim: int, sizes) -> Tensor:
    x = _tensor(input)
    axis = normalize_axis("unflatten", dim, x.ndim)
    sizes = _resolve_shape("unflatten", tuple(sizes), x.shape[axis])
    return reshape(x, x.shape[:axis] + sizes + x.shape[axis + 1:])


def squeeze(input, dim=None) -> Tensor:
    """Remove size-1 dimensions (all, or those in ``dim`` that have size 1)."""
    x = _tensor(input)
    if dim is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    else:
        axes = [a for a in (_axes("squeeze", dim, x.ndim) or ()) if x.shape[a] == 1]
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


def unsqueeze(input, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim``."""
    x = _tensor(input)
    axis = normalize_axis("unsqueeze", dim, x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def permute(input, *dims) -> Tensor:
    """Reorder dimensions: ``permute(x, (2, 0, 1))``."""
    x = _tensor(input)
    dims = _shape_tuple(dims)
    if len(dims) != x.ndim:
        raise ShapeError(f"permute: number of dims {len(dims)} doesn't match the tensor's {x.ndim} "
                         f"(shape {x.shape})")
    axes = tuple(normalize_axis("permute", d, x.ndim) for d in dims)
    if axes == tuple(range(x.ndim)):
        return x
    return bind(S.Permute, (x,), (axes,))


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    x = _tensor(input)
    axes = list(range(x.ndim))
    a, b = normalize_axis("transpose", dim0, x.ndim), normalize_axis("transpose", dim1, x.ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, axes)


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    """Transpose a matrix (vectors and scalars are returned as they are)."""
    x = _tensor(input)
    if x.ndim > 2:
        raise ShapeError(f"t(): expects a tensor with <= 2 dimensions, got shape {x.shape}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def swap_last(input) -> Tensor:
    """Swap the last two dimensions (``mT``)."""
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"mT: expects a tensor with >= 2 dimensions, got shape {x.shape}")
    return transpose(x, -2, -1)


def broadcast_to(input, shape) -> Tensor:
    """A read-only view of ``input`` broadcast to ``shape``."""
    x = _tensor(input)
    shape = tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    return bind(S.BroadcastTo, (x,), (shape,))


def expand(input, *sizes) -> Tensor:
    """Broadcast to ``sizes``; -1 keeps a dimension's size."""
    x = _tensor(input)
    sizes = _shape_tuple(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the number of sizes ({len(sizes)}) must be at least the number "
                         f"of dimensions ({x.ndim}) of shape {x.shape}")
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def broadcast_tensors(*tensors):
    from .rules import broadcast_shapes
    tensors = [_tensor(t_) for t_ in tensors]
    shape = broadcast_shapes("broadcast_tensors", *(t_.shape for t_ in tensors))
    return tuple(broadcast_to(t_, shape) for t_ in tensors)


def sum_to(input, shape) -> Tensor:
    """Sum ``input`` down to ``shape`` (the adjoint of broadcasting)."""
    x = _tensor(input)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and x.shape[lead + i] != 1)
    return reshape(bind(R.Sum, (x,), (axes, True)), shape)


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate along an existing dimension (dtypes promoted as in PyTorch)."""
    tensors = [_tensor(t_) for t_ in tensors]
    if not tensors:
        raise EmberValueError("cat: expected a non-empty sequence of tensors")
    tensors = list(_promote(*tensors)[0])
    ranks = {t_.ndim for t_ in tensors}
    if len(ranks) > 1:
        raise ShapeError("cat: tensors must have the same number of dimensions, got shapes "
                         + ", ".join(str(t_.shape) for t_ in tensors))
    axis = normalize_axis("cat", dim, tensors[0].ndim)
    if len(tensors) == 1:
        return tensors[0]
    return bind(S.Concatenate, tuple(tensors), (axis,))


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    tensors = [_tensor(t_) for t_ in tensors]
    if not tensors:
        raise EmberValueError("stack: expected a non-empty sequence of tensors")
    shapes = {t_.shape for t_ in tensors}
    if len(shapes) > 1:
        raise ShapeError("stack: expects each tensor to be equal size, got shapes "
                         + ", ".join(str(t_.shape) for t_ in tensors))
    axis = normalize_axis("stack", dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t_, axis) for t_ in tensors], axis)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Split into pieces of a given size (the last may be smaller) or of listed sizes."""
    x = _tensor(tensor)
    axis = normalize_axis("split", dim, x.ndim)
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise EmberValueError(f"split: split_size must be positive, got {step}")
        sizes = [builtins.min(step, length - s) for s in range(0, length, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise ShapeError(f"split: sections {sizes} do not add up to dimension {dim}'s size {length}")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(getitem_index(x, (slice(None),) * axis + (slice(start, start + size),)))
        start += size
    return tuple(pieces)


def chunk(input, chunks: int, dim: int = 0):
    """Split into ``chunks`` pieces of (nearly) equal size."""
    x = _tensor(input)
    length = x.shape[normalize_axis("chunk", dim, x.ndim)]
    if length == 0:  # PyTorch returns ``chunks`` empty pieces
        return split(x, [0] * chunks, dim)
    return split(x, -(-length // chunks), dim)


def unbind(input, dim: int = 0):
    x = _tensor(input)
    axis = normalize_axis("unbind", dim, x.ndim)
    return tuple(getitem_index(x, (slice(None),) * axis + (i,)) for i in range(x.shape[axis]))


def pad(input, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last dimensions: ``pad=(left, right, top, bottom, ...)`` as in ``torch.nn.functional.pad``."""
    x = _tensor(input)
    if mode != "constant":
        raise EmberValueError(f"pad: mode {mode!r} is not supported yet (only 'constant')")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ShapeError(f"pad: padding {tuple(pad)} must have an even length of at most "
                         f"2 * {x.ndim} for a tensor of shape {x.shape}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    crop = tuple(slice(-a if a < 0 else 0, s + b if b < 0 else s) for (a, b), s in zip(widths, x.shape))
    if builtins.any(a < 0 or b < 0 for a, b in widths):
        x = getitem_index(x, crop)
        widths = [(builtins.max(a, 0), builtins.max(b, 0)) for a, b in widths]
    if not builtins.any(a or b for a, b in widths):  # nothing to add (NumPy rejects a 0-d pad)
        return clone(x)
    return bind(S.Pad, (x,), (tuple(widths), value))


def flip(input, dims) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    x = _tensor(input)
    axes = _axes("flip", dims, x.ndim)
    return x if axes is None else bind(S.Flip, (x,), (axes,))


def repeat(input, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dimension (PyTorch's ``Tensor.repeat``)."""
    x = _tensor(input)
    sizes = _shape_tuple(sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the "
                         f"number of tensor dims ({x.ndim})")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    x = reshape(x, [d for s in shape for d in (1, s)])
    x = broadcast_to(x, [d for r, s in zip(sizes, shape) for d in (r, s)])
    return reshape(x, [r * s for r, s in zip(sizes, shape)])


def tile(input, dims) -> Tensor:
    """Like :func:`repeat`, padding ``dims`` with leading ones when it is short."""
    x = _tensor(input)
    dims = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def _along(op, x, index, axis):
    """Check a gather-style index and broadcast ``x`` against it outside ``axis``."""
    index = _tensor(index)
    if index._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: index must be an integer tensor, got {index.dtype}")
    if index.ndim != x.ndim:
        raise ShapeError(f"{op}: index {index.shape} and input {x.shape} must have the same number "
                         "of dimensions")
    if dispatch.tracer is not None:  # symbolic indices: NumPy checks bounds when the graph runs
        return index
    size = x.shape[axis]
    data = index._data
    if data.size and (data.min() < -size or data.max() >= size):
        raise EmberIndexError(f"{op}: index {int(data.max() if data.max() >= size else data.min())} "
                              f"is out of bounds for dimension {axis} with size {size}")
    if data.size and data.min() < 0:
        index = Tensor._make(data % size, None, False)
    return index


def gather(input, dim: int, index) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (index no larger than input elsewhere)."""
    x = _tensor(input)
    axis = normalize_axis("gather", dim, x.ndim)
    index = _along("gather", x, index, axis)
    if builtins.any(i > s for d, (i, s) in enumerate(zip(index.shape, x.shape)) if d != axis):
        raise ShapeError(f"gather: index {index.shape} must not be larger than input {x.shape} "
                         f"outside dimension {axis}")
    x = getitem_index(x, tuple(slice(0, i) if d != axis else slice(None) for d, i in enumerate(index.shape)))
    return bind(S.TakeAlongAxis, (x, index), (axis,))


def take_along_dim(input, indices, dim=None) -> Tensor:
    """Pick values along ``dim`` at ``indices`` (over the flattened tensor when ``dim`` is None)."""
    x = _tensor(input)
    if dim is None:
        return take_along_dim(flatten(x), flatten(_tensor(indices)), 0)
    axis = normalize_axis("take_along_dim", dim, x.ndim)
    indices = _along("take_along_dim", x, indices, axis)
    from .rules import broadcast_shapes
    shape = broadcast_shapes("take_along_dim", x.shape[:axis] + (1,) + x.shape[axis + 1:],
                             indices.shape[:axis] + (1,) + indices.shape[axis + 1:])
    x = broadcast_to(x, shape[:axis] + (x.shape[axis],) + shape[axis + 1:])
    indices = broadcast_to(indices, shape[:axis] + (indices.shape[axis],) + shape[axis + 1:])
    return bind(S.TakeAlongAxis, (x, indices), (axis,))


def scatter_add(input, dim: int, index, src) -> Tensor:
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    x = _tensor(input)
    axis = normalize_axis("scatter_add", dim, x.ndim)
    index = _along("scatter_add", x, index, axis)
    src = getitem_index(_tensor(src), tuple(slice(0, i) for i in index.shape))
    return x + scatter_add_zeros(src, index, axis, x.shape)


def scatter_add_zeros(values, indices, axis, shape) -> Tensor:
    return bind(S.ScatterAddZeros, (_tensor(values), _tensor(indices)), (axis, tuple(shape)))


def masked_fill(input, mask, value) -> Tensor:
    """``value`` where ``mask`` is true, ``input`` elsewhere (keeps ``input``'s dtype)."""
    x = _tensor(input)
    value = cast(value, x.dtype) if isinstance(value, Tensor) else full_scalar(value, x)
    return where(_tensor(mask), value, x)


def _triangle(input, diagonal, lower):
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"{'tril' if lower else 'triu'}: input must have at least 2 dimensions, got shape {x.shape}")
    rows, cols = x.shape[-2:]
    keep = backend.xp.tri(rows, cols, diagonal, dtype=bool)
    if not lower:
        keep = ~backend.xp.tri(rows, cols, diagonal - 1, dtype=bool)
    return where(Tensor._make(keep, None, False), x, full_scalar(0, x))  # keeps x's dtype (bool too)


def tril(input, diagonal: int = 0) -> Tensor:
    """Zero the elements above the ``diagonal``-th diagonal."""
    return _triangle(input, diagonal, True)


def triu(input, diagonal: int = 0) -> Tensor:
    """Zero the elements below the ``diagonal``-th diagonal."""
    return _triangle(input, diagonal, False)


# --- indexing ---------------------------------------------------------------
def _normalize_index(index, shape):
    """PyTorch index → NumPy index tuple; boolean masks become integer arrays."""
    if not isinstance(index, tuple):
        index = (index,)
    items = []
    for item in index:
        if isinstance(item, Tensor):
            item = item._data
        elif isinstance(item, list) or isinstance(item, numpy.ndarray):
            item = backend.xp.asarray(item)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            item = int(item)
        elif isinstance(item, bool):
            item = backend.xp.asarray(item)
        elif not (item is None or item is Ellipsis or isinstance(item, slice)):
            raise EmberIndexError(f"getitem: unsupported index of type {type(item).__name__}")
        if hasattr(item, "dtype"):
            if item.dtype == numpy.bool_:
                items.extend(item.nonzero() if item.ndim else [item])
                continue
            if item.dtype.kind not in "iu":
                raise EmberIndexError(f"getitem: tensors used as indices must be integer or bool, got {item.dtype}")
            if item.ndim == 0 and dispatch.tracer is None:
                item = int(item)  # a 0-d integer tensor selects like an int, as in PyTorch
        items.append(item)
    items = tuple(items)
    if builtins.any(type(i) is int for i in items) and builtins.any(_is_array(i) for i in items):
        return _as_coordinates(items, shape)
    if not builtins.any(i is Ellipsis for i in items):
        # a trailing ... makes NumPy return a 0-d view rather than a scalar copy for x[i]
        items += (Ellipsis,)
    return items


def _is_array(item) -> bool:
    return hasattr(item, "ndim") and item.ndim > 0


def _as_coordinates(items, shape):
    """The index as one integer coordinate array per axis, with PyTorch's result layout.

    NumPy counts a plain int next to an integer array as an advanced index, which
    can move the indexed axes to the front; PyTorch applies ints first, as basic
    selections. Indexing a grid of flat positions the PyTorch way, then turning
    those positions back into coordinates, gives an index that means the same in
    NumPy, for reading (getitem), adding (index_add) and writing (index_put).
    """
    basic = tuple(slice(None) if _is_array(i) else i for i in items)
    advanced = tuple(i if _is_array(i) or i is Ellipsis else slice(None)
                     for i in items if type(i) is not int)
    grid = backend.xp.arange(math.prod(shape)).reshape(shape)
    try:
        positions = grid[basic][advanced]
    except IndexError as error:
        raise EmberIndexError(f"getitem: {error} (tensor shape {tuple(shape)})") from None
    return backend.xp.unravel_index(positions, shape)


def getitem(input, index) -> Tensor:
    """``input[index]``: ints, slices, None, ..., integer and boolean tensors, mixed.

    Placement of the indexed axes follows PyTorch when ints and integer arrays mix
    (``x[0, :, [1, 2]]`` has shape ``(x.shape[1], 2)``). Unlike PyTorch, negative
    slice steps (``x[::-1]``) are accepted, with NumPy's meaning.

    Example:
        >>> import ember
        >>> x = ember.arange(24).reshape(2, 3, 4)
        >>> x[0, :, [1, 2]].shape
        (3, 2)
        >>> x[1, ::-1, 0].tolist()
        [20, 16, 12]
    """
    x = _tensor(input)
    return getitem_index(x, _normalize_index(index, x.shape))


def getitem_index(x, index) -> Tensor:
    """``x[index]`` for an already normalised index tuple."""
    return bind(S.Getitem, (x,), (index,))


def index_add_zeros(values, shape, index) -> Tensor:
    return bind(S.IndexAdd, (_tensor(values),), (tuple(shape), index))


def index_put_value(x, index, value) -> Tensor:
    """A copy of ``x`` with ``value`` written at a normalised ``index``."""
    return bind(S.IndexPut, (x, value), (index,))


def setitem(tensor, index, value) -> None:
    """``tensor[index] = value``, recorded in the graph when gradients are involved."""
    index = _normalize_index(index, tensor.shape)
    value = _operand(value)
    if isinstance(value, Tensor):
        value = cast(value, tensor.dtype)
    records = _grad_state.enabled and (tensor._requires_grad or getattr(value, "_requires_grad", False))
    if records or dispatch.tracer is not None:
        # IndexPut's VJP reads no input values, so the tensor itself (not a copy) is its input
        tensor._write(bind(S.IndexPut, (tensor, value), (index,)), "setitem")
        return
    try:  # nothing to record: write straight into the memory
        tensor._data[index] = value._data if isinstance(value, Tensor) else value
    except Exception as error:
        raise explain_failure(S.IndexPut, (tensor, value), (index,), error) from None
    tensor._shared_version().value += 1


# --- linear algebra ---------------------------------------------------------
def matmul(input, other) -> Tensor:
    """Matrix product with PyTorch's rules: 1-D operands, batched and broadcast operands.

    Example:
        >>> import ember
        >>> (ember.ones(2, 3) @ ember.ones(3)).shape
        (2,)
    """
    a, b = _tensor(input), _tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments need to be at least 1D, got shapes {a.shape} and {b.shape}")
    if a._data.dtype != b._data.dtype:
        raise DTypeError(f"matmul: expected both operands to have the same dtype, got {a.dtype} and {b.dtype}")
    if a.ndim >= 2 and b.ndim >= 2:
        return bind(L.Matmul, (a, b))
    if a.ndim == 1 and b.ndim == 1 and a.shape != b.shape:
        raise ShapeError(f"matmul: 1D tensors expected to have the same size, got {a.shape} and {b.shape}")
    a2 = unsqueeze(a, 0) if a.ndim == 1 else a
    b2 = unsqueeze(b, 1) if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"({a2.shape[-1]} vs {b2.shape[-2]})")
    result = bind(L.Matmul, (a2, b2))
    if b.ndim == 1:
        result = squeeze(result, -1)
    if a.ndim == 1:
        result = squeeze(result, -2 if b.ndim > 1 else -1)
    return result


def mm(input, mat2) -> Tensor:
    a, b = _tensor(input), _tensor(mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(input, mat2) -> Tensor:
    a, b = _tensor(input), _tensor(mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise ShapeError(f"bmm: expected 3-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)`` (no ellipsis)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    tensors, _ = _promote(*[_tensor(o) for o in operands])
    if "->" not in equation:
        subscripts, output = L._parse_einsum(equation, len(tensors))
        equation = equation.replace(" ", "") + "->" + output
    return bind(L.Einsum, tuple(tensors), (equation.replace(" ", ""),))


def outer(input, vec2) -> Tensor:
    """Outer product of two vectors."""
    a, b = _tensor(input), _tensor(vec2)
    return mul(unsqueeze(a, 1), unsqueeze(b, 0))


ger = outer


def dot(input, other) -> Tensor:
    """Inner product of two 1-D tensors."""
    a, b = _tensor(input), _tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


# --- neural-network math ----------------------------------------------------
def softmax(input, dim: int, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, shifted by the maximum so it never overflows."""
    x = _float(input) if dtype is None else cast(input, dtype)
    axes = _axes("softmax", dim, x.ndim)
    shifted = exp(x - amax(x.detach(), axes, keepdim=True)) if x._data.size else x
    return shifted / sum(shifted, axes, keepdim=True)


def log_softmax(input, dim: int, dtype=None) -> Tensor:
    """log(softmax(x)) computed as (x - max) - log(sum(exp(x - max))), as PyTorch does.

    Subtracting the maximum first keeps float32 exact for large inputs, where
    ``x - logsumexp(x)`` would lose the low digits of both terms.
    """
    x = _float(input) if dtype is None else cast(input, dtype)
    axes = _axes("log_softmax", dim, x.ndim)
    shifted = x - amax(x.detach(), axes, keepdim=True) if x._data.size else x
    return shifted - log(sum(exp(shifted), axes, keepdim=True))


def dropout(input, p: float = 0.5, training: bool = True, *, generator=None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only)."""
    if not 0.0 <= p <= 1.0:
        raise EmberValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    x = _tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    from .random import rand
    keep = rand(x.shape, generator=generator, dtype=x.dtype) >= p
    return x * (cast(keep, x.dtype) * (1.0 / (1.0 - p)))
