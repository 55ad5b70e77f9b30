"""``torch.linalg``'s compositions: ``matrix_rank``, ``cond``, ``vecdot``, ``vander``, ``tensorinv``,
``tensorsolve``, each built from existing primitives so it differentiates through them; and
``eig``/``eigvals`` (primitives in :mod:`ember.primitives.linalg_nonsymmetric`).

Example:
    >>> import ember
    >>> ember.linalg.matrix_rank(ember.tensor([[1.0, 2.0], [2.0, 4.0]])).item()
    1
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy

from ..errors import DTypeError, EmberValueError, ShapeError
from ..primitives import linalg_nonsymmetric as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _tensor

EigResult = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])


def _floating(op, value, min_dims=2) -> Tensor:
    a = _tensor(value)
    if a._data.dtype.kind not in "fc":
        raise DTypeError(f"linalg.{op}: expected a floating-point tensor, got dtype {a.dtype}")
    if a.ndim < min_dims:
        raise ShapeError(f"linalg.{op}: expected a matrix or a batch of them (*, m, n), got shape {a.shape}")
    return a


def matrix_rank(A, tol=None, hermitian: bool = False, *, atol=None, rtol=None) -> Tensor:
    """The numerical rank: how many singular values exceed ``max(atol, rtol * largest)`` (int64).

    With neither tolerance given, ``rtol = eps * max(m, n)``; an ``atol`` above zero alone means
    ``rtol = 0``. ``tol`` (the old positional form) is ``atol``.

    Example:
        >>> import ember
        >>> ember.linalg.matrix_rank(ember.eye(3)).item()
        3
    """
    from .decompositions import eigvalsh, svdvals
    from .elementwise import abs, maximum
    from .reduce import amax, sum
    a = _floating("matrix_rank", A).detach()
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None:
        given = atol is not None and (not isinstance(atol, (int, float)) or atol > 0)
        rtol = 0.0 if given else float(numpy.finfo(a._data.dtype).eps) * max(a.shape[-2:])
    values = abs(eigvalsh(a)) if hermitian else svdvals(a)
    if values.shape[-1] == 0:
        return sum(values > 0, -1)
    limit = amax(values, -1, keepdim=True) * rtol
    if atol is not None:  # a tensor atol holds one tolerance per matrix of the batch
        floor = atol.to(a.dtype).unsqueeze(-1) if isinstance(atol, Tensor) else float(atol)
        limit = maximum(limit, floor) if isinstance(floor, Tensor) else limit.clamp(min=floor)
    return sum(values > limit, -1)


def cond(A, p=None) -> Tensor:
    """The condition number ``norm(A, p) * norm(inv(A), p)``; for ``p`` None/2/-2 the ratio of the
    extreme singular values (any shape); other ``p`` need square matrices. Singular: inf.

    Example:
        >>> import ember
        >>> ember.linalg.cond(ember.tensor([[2.0, 0.0], [0.0, 0.5]])).item()
        4.0
    """
    from .decompositions import matrix_norm, svdvals
    from .linalg_factor import inv_ex
    from .reduce import amax, amin
    a = _floating("cond", A)
    if p is None or p in (2, -2):
        values = svdvals(a)
        largest, smallest = amax(values, -1), amin(values, -1)
        return smallest / largest if p == -2 else largest / smallest
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise EmberValueError(f"linalg.cond: p must be None, 2, -2, 'fro', 'nuc', 1, -1, inf or -inf, got {p!r}")
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.cond: p={p!r} needs square matrices, got shape {a.shape}")
    return matrix_norm(a, p) * matrix_norm(inv_ex(a).inverse, p)


def vecdot(x, y, *, dim: int = -1) -> Tensor:
    """``sum(conj(x) * y, dim)``, broadcasting ``x`` and ``y``.

    Example:
        >>> import ember
        >>> ember.linalg.vecdot(ember.tensor([1.0, 2.0]), ember.tensor([[3.0, 4.0], [1.0, 1.0]])).tolist()
        [11.0, 3.0]
    """
    from .complex_parts import conj
    from .reduce import sum
    a, b = _tensor(x), _tensor(y)
    if a._data.dtype != b._data.dtype:
        raise DTypeError(f"linalg.vecdot: x ({a.dtype}) and y ({b.dtype}) must have the same dtype")
    product = (conj(a) if a._data.dtype.kind == "c" else a) * b
    if product.ndim == 0:
        raise ShapeError(f"linalg.vecdot: x {a.shape} and y {b.shape} need at least one dimension")
    return sum(product, dim)


def vander(x, *, N: int = None) -> Tensor:
    """The Vandermonde matrix ``out[..., i, j] = x[..., i] ** j`` for ``j < N`` (``N`` defaults to the length).

    Example:
        >>> import ember
        >>> ember.linalg.vander(ember.tensor([1.0, 2.0, 3.0])).tolist()
        [[1.0, 1.0, 1.0], [1.0, 2.0, 4.0], [1.0, 3.0, 9.0]]
    """
    from .creation import ones_like
    from .shape import stack
    v = _tensor(x)
    if v.ndim < 1:
        raise ShapeError(f"linalg.vander: x must have at least one dimension, got shape {v.shape}")
    if v._data.dtype.kind == "b":
        raise DTypeError("linalg.vander: expected a numeric tensor, got dtype bool")
    count = v.shape[-1] if N is None else N
    if count <= 1:
        raise EmberValueError(f"linalg.vander: N must be greater than 1, got {count}")
    columns = [ones_like(v)]
    for _ in range(count - 1):  # repeated products: exact for integers, and a slope at x = 0
        columns.append(columns[-1] * v)
    return stack(columns, -1)


def tensorinv(A, ind: int = 2) -> Tensor:
    """The inverse of ``A`` read as a matrix from its first ``ind`` dims to the rest:
    ``tensordot(tensorinv(A, ind), A, ind)`` is the identity. Shape ``A.shape[ind:] + A.shape[:ind]``.

    Example:
        >>> import ember
        >>> ember.linalg.tensorinv(ember.eye(4).reshape(4, 2, 2), ind=1).shape
        (2, 2, 4)
    """
    from .decompositions import inv
    a = _floating("tensorinv", A, min_dims=1)
    if ind <= 0:
        raise EmberValueError(f"linalg.tensorinv: ind must be a positive integer, got {ind}")
    rows, cols = math.prod(a.shape[:ind]), math.prod(a.shape[ind:])
    if rows != cols:
        raise ShapeError(f"linalg.tensorinv: the product of the first {ind} dims of {a.shape} ({rows}) must "
                         f"equal the product of the rest ({cols})")
    return inv(a.reshape(rows, cols)).reshape(*a.shape[ind:], *a.shape[:ind])


def tensorsolve(A, B, dims=None) -> Tensor:
    """``X`` with ``tensordot(A, X, X.ndim) = B``; ``dims`` of ``A`` are moved to the end first.

    Example:
        >>> import ember
        >>> ember.linalg.tensorsolve(2 * ember.eye(6).reshape(2, 3, 6), ember.ones(2, 3)).shape
        (6,)
    """
    from .decompositions import solve
    from .rearrange import movedim
    a, b = _floating("tensorsolve", A, min_dims=1), _tensor(B)
    if dims is not None:
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        a = movedim(a, dims, tuple(range(a.ndim - len(dims), a.ndim)))
    if tuple(a.shape[:b.ndim]) != tuple(b.shape):
        raise ShapeError(f"linalg.tensorsolve: A's leading dims {tuple(a.shape[:b.ndim])} must equal B's shape "
                         f"{tuple(b.shape)} (A {a.shape})")
    rest = a.shape[b.ndim:]
    rows, cols = math.prod(b.shape), math.prod(rest)
    if rows != cols:
        raise ShapeError(f"linalg.tensorsolve: A of shape {a.shape} is not square as a ({rows}, {cols}) matrix "
                         f"for B of shape {b.shape}")
    return solve(a.reshape(rows, cols), b.reshape(rows)).reshape(*rest)


def _general_square(op, A) -> Tensor:
    a = _floating(op, A)
    if a._data.dtype.kind != "f":
        raise DTypeError(f"linalg.{op}: expected a real floating-point tensor (float32/float64), got {a.dtype}")
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{op}: expected square matrices (*, n, n), got shape {a.shape}")
    return a


def eig(A):
    """``(eigenvalues, eigenvectors)`` of general square matrices, both complex; vectors have unit norm.
    Both differentiate (PyTorch's rule: distinct eigenvalues, and a loss that does not depend on
    the eigenvectors' arbitrary phases, e.g. one of their magnitudes).

    Example:
        >>> import ember
        >>> ember.linalg.eig(ember.tensor([[0.0, -1.0], [1.0, 0.0]])).eigenvalues.tolist()
        [1j, -1j]
    """
    a = _general_square("eig", A)
    return EigResult(bind(P.EigValues, (a,)), bind(P.EigVectors, (a,)))


def eigvals(A) -> Tensor:
    """The (complex) eigenvalues of general square matrices, differentiable (distinct eigenvalues).

    Example:
        >>> import ember
        >>> ember.linalg.eigvals(ember.tensor([[2.0, 0.0], [0.0, 3.0]])).tolist()
        [(2+0j), (3+0j)]
    """
    return bind(P.EigValues, (_general_square("eigvals", A),))
