"""Linear algebra with ``torch.linalg``'s names and rules (re-exported as ``ember.linalg``).

The decompositions and matrix functions are primitives (:mod:`ember.primitives.decompositions`);
norms, ``pinv``, ``lstsq``, ``matrix_power``, ``logdet`` and ``multi_dot`` are compositions.
Gradients of ``eigh``/``svd`` vectors need distinct eigen/singular values, as in PyTorch;
``det``'s needs an invertible matrix.
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy

from ..errors import DTypeError, EmberValueError, ShapeError
from ..primitives import decompositions as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _tensor, cast
from .comparison import ne
from .creation import eye, zeros
from .elementwise import abs, log, pow, sqrt, where
from .reduce import amax, amin, sum
from .shape import broadcast_to, squeeze, swap_last, unsqueeze

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = namedtuple("qr", ["Q", "R"])
EighResult = namedtuple("eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("svd", ["U", "S", "Vh"])
LegacySVDResult = namedtuple("svd", ["U", "S", "V"])
LstsqResult = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])


def _matrix(op, value, square=True) -> Tensor:
    a = _tensor(value)
    if a._data.dtype.kind != "f":
        raise DTypeError(f"linalg.{op}: expected a floating-point tensor, got dtype {a.dtype}")
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ShapeError(f"linalg.{op}: expected {kind} (a tensor of shape (*, n, n)), got shape {a.shape}")
    return a


def inv(A) -> Tensor:
    """The inverse of a square matrix (or a batch of them).

    Example:
        >>> import ember
        >>> ember.linalg.inv(ember.tensor([[2.0, 0.0], [0.0, 4.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return bind(P.Inv, (_matrix("inv", A),))


def det(A) -> Tensor:
    """The determinant of a square matrix (or a batch of them).

    Example:
        >>> import ember
        >>> ember.linalg.det(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.0000)
    """
    return bind(P.Det, (_matrix("det", A),))


def slogdet(A):
    """``(sign, log|det|)`` of a square matrix, without overflow for large ones.

    Example:
        >>> import ember
        >>> ember.linalg.slogdet(ember.tensor([[-2.0]])).sign
        tensor(-1.)
    """
    a = _matrix("slogdet", A)
    return SlogdetResult(bind(P.SlogdetSign, (a,)), bind(P.LogAbsDet, (a,)))


def logdet(A) -> Tensor:
    """``log(det(A))``: NaN for a negative determinant, -inf for zero (as in PyTorch)."""
    sign, magnitude = slogdet(A)
    return where(sign < 0, float("nan"), where(sign == 0, float("-inf"), magnitude))


def _is_vector_rhs(a, b) -> bool:
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))


def solve(A, B, *, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A @ X = B`` (``X @ A = B`` with ``left=False``); ``B`` may be a vector.

    Example:
        >>> import ember
        >>> ember.linalg.solve(ember.tensor([[2.0, 0.0], [0.0, 4.0]]), ember.tensor([2.0, 2.0])).tolist()
        [1.0, 0.5]
    """
    a, b = _matrix("solve", A), _tensor(B)
    if b._data.dtype != a._data.dtype:
        raise DTypeError(f"linalg.solve: A ({a.dtype}) and B ({b.dtype}) must have the same dtype")
    if not left:
        return swap_last(solve(swap_last(a), swap_last(b)))
    if _is_vector_rhs(a, b):
        return squeeze(bind(P.Solve, (a, unsqueeze(b, -1))), -1)
    if b.ndim < 2:
        raise ShapeError(f"linalg.solve: B must be a vector or a matrix, got shape {b.shape} for A {a.shape}")
    return bind(P.Solve, (a, b))


def cholesky(A, *, upper: bool = False) -> Tensor:
    """The Cholesky factor ``L`` (``A = L L^T``) of a symmetric positive-definite matrix; ``U = L^T`` if ``upper``.

    Example:
        >>> import ember
        >>> ember.linalg.cholesky(ember.tensor([[4.0, 2.0], [2.0, 2.0]])).tolist()
        [[2.0, 0.0], [1.0, 1.0]]
    """
    lower = bind(P.Cholesky, (_matrix("cholesky", A),))
    return swap_last(lower) if upper else lower


def qr(A, mode: str = "reduced"):
    """``(Q, R)`` with ``A = Q R``, ``Q`` orthonormal columns, ``R`` upper triangular (``mode='reduced'``/``'r'``).

    Example:
        >>> import ember
        >>> q, r = ember.linalg.qr(ember.tensor([[3.0], [4.0]]))
        >>> [round(v, 4) for v in (q @ r).flatten().tolist()]
        [3.0, 4.0]
    """
    a = _matrix("qr", A, square=False)
    if mode not in ("reduced", "r", "complete"):
        raise EmberValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    if mode == "complete" and a.shape[-2] > a.shape[-1]:
        raise EmberValueError(f"linalg.qr: mode='complete' on a tall matrix (shape {a.shape}) is not "
                              "supported; use mode='reduced'")
    r = bind(P.QrR, (a,))
    if mode == "r":
        return QRResult(zeros(0, dtype=a.dtype), r)
    return QRResult(bind(P.QrQ, (a,)), r)


def eigh(A, UPLO: str = "L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (its ``UPLO`` triangle).

    Example:
        >>> import ember
        >>> ember.linalg.eigh(ember.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues.tolist()
        [1.0, 2.0]
    """
    a = _triangle_source("eigh", A, UPLO)
    return EighResult(bind(P.EighValues, (a,)), bind(P.EighVectors, (a,)))


def eigvalsh(A, UPLO: str = "L") -> Tensor:
    """Eigenvalues (ascending) of a symmetric matrix."""
    return bind(P.EighValues, (_triangle_source("eigvalsh", A, UPLO),))


def _triangle_source(op, A, UPLO):
    a = _matrix(op, A)
    if UPLO not in ("L", "U"):
        raise EmberValueError(f"linalg.{op}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return a if UPLO == "L" else swap_last(a)  # the primitive reads the lower triangle


def svd(A, full_matrices: bool = True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending.

    ``full_matrices=True`` completes U/Vh to square matrices for non-square input;
    those extra columns are not unique, so (as in PyTorch) that form has no
    gradient: Ember refuses it up front for an input that requires grad.

    Example:
        >>> import ember
        >>> ember.linalg.svd(ember.tensor([[3.0, 0.0], [0.0, -2.0]])).S.tolist()
        [3.0, 2.0]
    """
    a = _matrix("svd", A, square=False)
    m, n = a.shape[-2:]
    if full_matrices and m != n:
        return _full_svd(a)
    return SVDResult(bind(P.SvdU, (a,)), bind(P.SvdS, (a,)), bind(P.SvdVh, (a,)))


def _full_svd(a):
    from ..autograd.grad_mode import state
    if a.requires_grad and state.enabled:
        raise EmberValueError(f"linalg.svd: full_matrices=True on a non-square matrix (shape {a.shape}) has "
                              "no gradient; pass full_matrices=False")
    data = a._data
    from .sorting import _namespace
    xp = _namespace(a)
    if 0 in data.shape:
        m, n = data.shape[-2:]
        u = xp.broadcast_to(xp.eye(m, dtype=data.dtype), data.shape[:-2] + (m, m)).copy()
        vh = xp.broadcast_to(xp.eye(n, dtype=data.dtype), data.shape[:-2] + (n, n)).copy()
        s = xp.zeros(data.shape[:-2] + (0,), data.dtype)
    else:
        u, s, vh = xp.linalg.svd(data, full_matrices=True)
    return SVDResult(*(Tensor._make(v, None, False) for v in (u, s, vh)))


def svdvals(A) -> Tensor:
    """Singular values, descending.

    Example:
        >>> import ember
        >>> ember.linalg.svdvals(ember.tensor([[0.0, 2.0], [1.0, 0.0]])).tolist()
        [2.0, 1.0]
    """
    return bind(P.SvdS, (_matrix("svdvals", A, square=False),))


def legacy_svd(input, some: bool = True, compute_uv: bool = True):
    """``torch.svd``: ``(U, S, V)`` (V, not its transpose), reduced unless ``some=False``."""
    u, s, vh = svd(input, full_matrices=not some)
    return LegacySVDResult(u, s, swap_last(vh))


def _cutoff(singular, atol, rtol, shape):
    largest = amax(singular, -1, keepdim=True) if singular.shape[-1] else zeros(singular.shape[:-1] + (1,),
                                                                                 dtype=singular.dtype)
    if atol is None and rtol is None:
        rtol = float(numpy.finfo(singular._data.dtype).eps) * max(shape[-2:])
    limit = largest * (rtol or 0.0)
    if atol is not None:
        limit = where(limit > atol, limit, atol)
    return limit


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse, dropping singular values at or below ``max(atol, rtol * largest)``.

    Example:
        >>> import ember
        >>> ember.linalg.pinv(ember.tensor([[2.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    a = _matrix("pinv", A, square=False)
    u, s, vh = svd(a, full_matrices=False)
    kept = s > _cutoff(s, atol, rtol, a.shape)
    inverse_s = where(kept, 1 / where(kept, s, 1), 0)
    return swap_last(vh) @ (unsqueeze(inverse_s, -1) * swap_last(u))


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of ``A X = B`` (through the pseudo-inverse).

    As PyTorch's default CPU driver (``gelsy``), ``residuals`` and ``singular_values``
    are empty; ``rank`` is the numerical rank.

    Example:
        >>> import ember
        >>> a = ember.tensor([[1.0], [1.0]])
        >>> ember.linalg.lstsq(a, ember.tensor([[1.0], [3.0]])).solution.tolist()
        [[2.0]]
    """
    a = _matrix("lstsq", A, square=False)
    b = _tensor(B)
    if b.ndim < 2 or b.shape[-2] != a.shape[-2]:
        raise ShapeError(f"linalg.lstsq: B of shape {b.shape} must have A's {a.shape[-2]} rows (A {a.shape})")
    s = svdvals(a.detach())
    rank = sum(s > _cutoff(s, None, rcond, a.shape), -1)
    solution = pinv(a, rtol=rcond) @ b
    empty = zeros(0, dtype=a.dtype)
    return LstsqResult(solution, empty, rank, empty)


def matrix_exp(A) -> Tensor:
    """The matrix exponential.

    Example:
        >>> import ember
        >>> ember.linalg.matrix_exp(ember.zeros(2, 2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return bind(P.MatrixExp, (_matrix("matrix_exp", A),))


def matrix_power(A, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n = 0``: identity; ``n < 0``: powers of the inverse).

    Example:
        >>> import ember
        >>> ember.linalg.matrix_power(ember.tensor([[1.0, 1.0], [0.0, 1.0]]), 3).tolist()
        [[1.0, 3.0], [0.0, 1.0]]
    """
    a = _tensor(A)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.matrix_power: expected square matrices, got shape {a.shape}")
    if not isinstance(n, int):
        raise EmberValueError(f"linalg.matrix_power: n must be an integer, got {n!r}")
    if n == 0:
        return broadcast_to(eye(a.shape[-1], dtype=a.dtype), a.shape).clone()
    if n < 0:
        a, n = inv(a), -n
    result, square = None, a
    while n:  # binary powering: log2(n) products
        if n & 1:
            result = square if result is None else result @ square
        n >>= 1
        if n:
            square = square @ square
    return result


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (first and last may be vectors), left to right."""
    tensors = [_tensor(t) for t in tensors]
    if len(tensors) < 2:
        raise EmberValueError(f"linalg.multi_dot: expected at least 2 tensors, got {len(tensors)}")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


# --- norms ------------------------------------------------------------------------------------------
def _dims(dim, ndim):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(d % max(ndim, 1) for d in dims)


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The ``ord``-norm of the entries over ``dim`` (all of them when None); its slope at 0 is 0.

    Example:
        >>> import ember
        >>> ember.linalg.vector_norm(ember.tensor([3.0, -4.0])).item()
        5.0
    """
    x = _tensor(x)
    if dtype is not None:
        x = cast(x, dtype)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"linalg.vector_norm: expected a floating-point tensor, got dtype {x.dtype}")
    dims = _dims(dim, x.ndim)
    magnitude = abs(x)
    if ord == math.inf or ord == -math.inf:
        if x.numel() == 0:
            raise ShapeError(f"linalg.vector_norm: cannot take the {ord}-norm of an empty tensor (shape {x.shape})")
        return (amax if ord > 0 else amin)(magnitude, () if dims is None else dims, keepdim)
    if ord == 0:
        return cast(sum(ne(x, 0), dims, keepdim), x.dtype)
    if ord == 1:
        return sum(magnitude, dims, keepdim)
    if ord == 2:
        total = sum(x * x, dims, keepdim)
        positive = total > 0
        return where(positive, sqrt(where(positive, total, 1)), 0)
    total = sum(pow(magnitude, ord), dims, keepdim)
    positive = total > 0
    return where(positive, pow(where(positive, total, 1), 1.0 / ord), 0 if ord > 0 else math.inf)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """Matrix norms over the two ``dim``: ``'fro'``, ``'nuc'``, ``inf``, ``-inf``, ``1``, ``-1``, ``2``, ``-2``.

    Example:
        >>> import ember
        >>> ember.linalg.matrix_norm(ember.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1).item()
        6.0
    """
    a = _tensor(A)
    if dtype is not None:
        a = cast(a, dtype)
    if a.ndim < 2:
        raise ShapeError(f"linalg.matrix_norm: expected a matrix or a batch of matrices, got shape {a.shape}")
    rows, cols = _dims(dim, a.ndim)
    if ord == "fro":
        return vector_norm(a, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        moved = _last_two(a, rows, cols)
        singular = svdvals(moved)
        if ord == "nuc":
            result = sum(singular, -1)
        else:
            result = (amax if ord == 2 else amin)(singular, -1)
        return _restore(result, a.ndim, rows, cols) if keepdim else result
    if ord in (1, -1, math.inf, -math.inf):
        summed_axis, picked_axis = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = sum(abs(a), summed_axis, keepdim=True)
        result = (amax if ord > 0 else amin)(sums, picked_axis, keepdim=True)
        return result if keepdim else squeeze(squeeze(result, max(rows, cols)), min(rows, cols))
    raise EmberValueError(f"linalg.matrix_norm: unsupported ord {ord!r}")


def _last_two(a, rows, cols):
    from .rearrange import movedim
    return movedim(a, (rows, cols), (-2, -1))


def _restore(result, ndim, rows, cols):
    for axis in sorted((rows, cols)):
        result = unsqueeze(result, axis)
    return result


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``linalg.norm``: a vector norm (1-D input or an int ``dim``) or a matrix norm (2-D or a 2-tuple ``dim``).

    Example:
        >>> import ember
        >>> ember.linalg.norm(ember.tensor([[3.0, 4.0]])).item()
        5.0
    """
    a = _tensor(A)
    if dim is None and ord is None:
        return vector_norm(a, 2, None, keepdim, dtype=dtype)
    if isinstance(dim, int) or (dim is None and a.ndim == 1) or (dim is not None and len(dim) == 1):
        return vector_norm(a, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and a.ndim != 2:
        raise ShapeError(f"linalg.norm: ord={ord!r} needs a 1-D or 2-D input when dim is None, got shape {a.shape}")
    return matrix_norm(a, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


# the names ``ember.ops.functions`` re-exports (``inv`` etc. stay linalg-only, as in torch)
linalg_inv, linalg_solve, linalg_qr, linalg_eigh, linalg_svd = inv, solve, qr, eigh, svd
