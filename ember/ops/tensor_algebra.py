"""Products and distances built on ``matmul``/``einsum``: ``addmm``, ``addbmm``, ``baddbmm``,
``addmv``, ``trace``, ``tensordot``, ``cdist``."""
from __future__ import annotations

import math
import string

from ..errors import EmberValueError, ShapeError
from ..primitives.core import PRIMITIVES, dispatch
from ..tensor import Tensor
from ._operands import _promote, _tensor
from .elementwise import abs, pow, sqrt, where
from .linalg import einsum, matmul
from .reduce import amax, sum
from .shape import unsqueeze


def _scaled_sum(op, input, product, beta, alpha) -> Tensor:
    """``beta * input + alpha * product``; with ``beta == 0`` the input is ignored (NaN included)."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return _broadcast_like(op, input, scaled)
    x = _tensor(input)
    if op != "addmv" and dispatch.active:  # in an ember.autocast region the input joins the product's
        x = _autocast_operands(x)          # precision, as PyTorch autocasts addmm/baddbmm/addbmm whole
    return (x if beta == 1 else x * beta) + scaled


def _autocast_operands(x):
    policy = PRIMITIVES["matmul"].autocast  # set only once ember.amp is loaded
    return x if policy is None else policy((x,))[0]


def _broadcast_like(op, input, scaled):
    from .shape import broadcast_to
    x = _tensor(input)
    try:
        broadcast_to(x.detach(), scaled.shape)
    except Exception:
        raise ShapeError(f"{op}: input of shape {x.shape} does not broadcast to the product's shape "
                         f"{scaled.shape}") from None
    return scaled


def _need(op, name, tensor, ndim):
    if tensor.ndim != ndim:
        raise ShapeError(f"{op}: {name} must be {ndim}-D, got shape {tensor.shape}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` for 2-D ``mat1``, ``mat2``.

    Example:
        >>> import ember
        >>> ember.addmm(ember.ones(2, 2), ember.ones(2, 3)[:, :2], ember.eye(2)).tolist()
        [[2.0, 2.0], [2.0, 2.0]]
    """
    a, b = _tensor(mat1), _tensor(mat2)
    _need("addmm", "mat1", a, 2)
    _need("addmm", "mat2", b, 2)
    return _scaled_sum("addmm", input, matmul(a, b), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    a, v = _tensor(mat), _tensor(vec)
    _need("addmv", "mat", a, 2)
    _need("addmv", "vec", v, 1)
    return _scaled_sum("addmv", input, matmul(a, v), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` for 3-D batches of matrices."""
    a, b = _tensor(batch1), _tensor(batch2)
    _need("baddbmm", "batch1", a, 3)
    _need("baddbmm", "batch2", b, 3)
    return _scaled_sum("baddbmm", input, matmul(a, b), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``.

    Example:
        >>> import ember
        >>> ember.addbmm(ember.zeros(2, 2), ember.ones(3, 2, 1), ember.ones(3, 1, 2)).tolist()
        [[3.0, 3.0], [3.0, 3.0]]
    """
    a, b = _tensor(batch1), _tensor(batch2)
    _need("addbmm", "batch1", a, 3)
    _need("addbmm", "batch2", b, 3)
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeError(f"addbmm: batch1 {a.shape} and batch2 {b.shape} cannot be multiplied batch by batch")
    return _scaled_sum("addbmm", input, einsum("bij,bjk->ik", a, b), beta, alpha)


def trace(input) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor.

    Example:
        >>> import ember
        >>> ember.trace(ember.tensor([[1, 2], [3, 4]]))
        tensor(5)
    """
    x = _tensor(input)
    _need("trace", "input", x, 2)
    n = min(x.shape)
    if x._data.dtype.kind in "biu":
        from ._operands import cast
        x = cast(x, "int64")
    return einsum("ii->", x[:n, :n])


def tensordot(a, b, dims=2) -> Tensor:
    """Contract ``dims`` (a count of trailing/leading dims, or two lists of dims) of ``a`` and ``b``.

    Example:
        >>> import ember
        >>> ember.tensordot(ember.ones(2, 3, 4), ember.ones(3, 4, 5)).shape
        (2, 5)
    """
    (x, y), _ = _promote(_tensor(a), _tensor(b))
    if isinstance(dims, int):
        if dims < 0 or dims > min(x.ndim, y.ndim):
            raise ShapeError(f"tensordot: dims={dims} is out of range for shapes {x.shape} and {y.shape}")
        dims_x, dims_y = list(range(x.ndim - dims, x.ndim)), list(range(dims))
    else:
        dims_x, dims_y = ([d] if isinstance(d, int) else list(d) for d in dims)
    dims_x = [d % max(x.ndim, 1) for d in dims_x]
    dims_y = [d % max(y.ndim, 1) for d in dims_y]
    if len(dims_x) != len(dims_y) or any(x.shape[i] != y.shape[j] for i, j in zip(dims_x, dims_y)):
        raise ShapeError(f"tensordot: contracted dims {dims_x} of {x.shape} and {dims_y} of {y.shape} must "
                         "pair up with equal sizes")
    letters = iter(string.ascii_letters)
    left = [next(letters) for _ in range(x.ndim)]
    right = [next(letters) for _ in range(y.ndim)]
    for i, j in zip(dims_x, dims_y):
        right[j] = left[i]
    kept = [c for i, c in enumerate(left) if i not in dims_x] + [c for j, c in enumerate(right) if j not in dims_y]
    return einsum(f"{''.join(left)},{''.join(right)}->{''.join(kept)}", x, y)


def cdist(x1, x2, p: float = 2.0, compute_mode=None) -> Tensor:
    """Pairwise ``p``-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M).

    Example:
        >>> import ember
        >>> ember.cdist(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0], [0.0, 1.0]])).tolist()
        [[5.0, 1.0]]
    """
    a, b = _tensor(x1), _tensor(x2)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"cdist: x1 {a.shape} and x2 {b.shape} must be at least 2-D with the same number "
                         "of columns")
    if a._data.dtype.kind != "f":
        raise ShapeError(f"cdist: expected floating-point inputs, got {a.dtype}")
    if p < 0:
        raise EmberValueError(f"cdist: p must be non-negative, got {p}")
    difference = abs(unsqueeze(a, -2) - unsqueeze(b, -3))
    if p == 0:
        return sum(difference != 0, -1).to(a.dtype)
    if p == math.inf:
        return amax(difference, -1) if difference.shape[-1] else sum(difference, -1)
    if p == 1:
        return sum(difference, -1)
    if p == 2:
        # sqrt's slope is infinite at 0: identical rows get gradient 0, as in PyTorch
        squared = sum(difference * difference, -1)
        positive = squared > 0
        return where(positive, sqrt(where(positive, squared, 1)), 0)
    powered = sum(pow(difference, p), -1)
    positive = powered > 0
    return where(positive, pow(where(positive, powered, 1), 1 / p), 0)


def inner(input, other) -> Tensor:
    """Sum over the last dimension of both (scalars multiply).

    Example:
        >>> import ember
        >>> ember.inner(ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])).item()
        11.0
    """
    (a, b), _ = _promote(_tensor(input), _tensor(other))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


def dist(input, other, p: float = 2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast), over all entries."""
    from .decompositions import vector_norm
    return vector_norm(_tensor(input) - _tensor(other), p)


def cross(input, other, dim=None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the first dimension of size 3 when None, as ``torch.cross``).

    Example:
        >>> import ember
        >>> ember.cross(ember.tensor([1.0, 0.0, 0.0]), ember.tensor([0.0, 1.0, 0.0])).tolist()
        [0.0, 0.0, 1.0]
    """
    (a, b), _ = _promote(_tensor(input), _tensor(other))
    if dim is None:
        dim = next((d for d, s in enumerate(a.shape) if s == 3), None)
        if dim is None:
            raise ShapeError(f"cross: no dimension of size 3 in shape {a.shape}")
    axis = dim % max(a.ndim, 1)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ShapeError(f"cross: dimension {dim} must have size 3 in both inputs, got {a.shape} and {b.shape}")
    from .indexing import getitem_index
    from .shape import stack

    def part(x, i):
        return getitem_index(x, (slice(None),) * axis + (i, Ellipsis))
    a0, a1, a2 = (part(a, i) for i in range(3))
    b0, b1, b2 = (part(b, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)


def linalg_cross(input, other, *, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the cross product along ``dim`` (default: the last)."""
    return cross(input, other, dim)


def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in columns).

    Example:
        >>> import ember
        >>> ember.cov(ember.tensor([[0.0, 2.0], [1.0, 3.0]])).tolist()
        [[2.0, 2.0], [2.0, 2.0]]
    """
    if fweights is not None or aweights is not None:
        raise EmberValueError("cov: fweights and aweights are not supported")
    x = _tensor(input)
    if x.ndim > 2:
        raise ShapeError(f"cov: expected a 1-D or 2-D tensor, got shape {x.shape}")
    if x.ndim < 2:
        x = x.reshape(1, -1)
    if x._data.dtype.kind != "f":
        from ._operands import cast
        x = cast(x, "float32")
    observations = x.shape[1]
    centred = x - x.mean(1, keepdim=True)
    result = (centred @ centred.mT) / max(observations - correction, 0)
    return result.reshape(()) if result.shape == (1, 1) else result  # one variable: a 0-d result


def corrcoef(input) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    from .elementwise import clamp, sqrt
    d = sqrt(einsum("ii->i", c))
    return clamp(c / d.reshape(-1, 1) / d.reshape(1, -1), -1, 1)


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoid rule along ``dim``, with sample points ``x`` or spacing ``dx`` (default 1).

    Example:
        >>> import ember
        >>> ember.trapezoid(ember.tensor([1.0, 2.0, 3.0])).item()
        4.0
    """
    y = _tensor(y)
    axis = dim % max(y.ndim, 1)
    from .rearrange import _slice, diff
    left, right = _slice(y, axis, 0, -1), _slice(y, axis, 1, None)
    if x is None:
        return sum((left + right) * ((1 if dx is None else dx) / 2), axis)
    spacing = diff(_tensor(x), dim=-1 if _tensor(x).ndim == 1 else axis)
    if spacing.ndim == 1 and y.ndim > 1:
        spacing = spacing.reshape((-1,) + (1,) * (y.ndim - axis - 1))
    return sum((left + right) * spacing / 2, axis)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoid-rule integrals along ``dim`` (one fewer entry than ``y``)."""
    y = _tensor(y)
    axis = dim % max(y.ndim, 1)
    from .rearrange import _slice, diff
    from .reduce import cumsum
    left, right = _slice(y, axis, 0, -1), _slice(y, axis, 1, None)
    if x is None:
        return cumsum((left + right) * ((1 if dx is None else dx) / 2), axis)
    spacing = diff(_tensor(x), dim=-1 if _tensor(x).ndim == 1 else axis)
    if spacing.ndim == 1 and y.ndim > 1:
        spacing = spacing.reshape((-1,) + (1,) * (y.ndim - axis - 1))
    return cumsum((left + right) * spacing / 2, axis)


def chain_matmul(*matrices) -> Tensor:
    """The product of 2-D matrices, left to right (``torch.chain_matmul``)."""
    from .decompositions import multi_dot
    return multi_dot(matrices)
