"""PyTorch's older top-level linear-algebra spellings: ``qr``, ``cholesky_solve``,
``cholesky_inverse``, ``triangular_solve``, ``lu``, ``lu_solve``, ``lu_unpack``, ``geqrf``,
``orgqr`` and ``ormqr``, composed from ``ember.linalg`` (so they differentiate through its
primitives).

Example:
    >>> import ember
    >>> L = ember.tensor([[2.0, 0.0], [1.0, 1.0]])
    >>> ember.cholesky_solve(ember.tensor([[6.0], [4.0]]), L).tolist()
    [[1.0], [1.0]]
"""
from __future__ import annotations

from collections import namedtuple

from ._operands import _tensor
from .linalg_factor import lu_factor, lu_factor_ex, lu_unpack  # noqa: F401  (lu_unpack: torch.lu_unpack)
from .linalg_factor import lu_solve as _lu_solve
from .linalg_householder import geqrf, orgqr, ormqr  # noqa: F401  (the torch.* spellings)

QRResult = namedtuple("qr", ["Q", "R"])
TriangularSolveResult = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def qr(input, some: bool = True) -> QRResult:
    """``linalg.qr`` with ``mode='reduced'`` (``some=True``) or ``'complete'``.

    Example:
        >>> import ember
        >>> q, r = ember.qr(ember.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> [round(v, 4) for v in (q @ r).reshape(-1).tolist()]
        [3.0, 1.0, 4.0, 2.0]
    """
    from .decompositions import linalg_qr
    q, r = linalg_qr(_tensor(input), "reduced" if some else "complete")
    return QRResult(q, r)


def _gram(factor, upper: bool):
    """``A = L Lᵀ`` from its Cholesky factor (``Uᵀ U`` when ``upper``)."""
    from .complex_parts import conj
    factor = _tensor(factor)
    adjoint = conj(factor.transpose(-2, -1))
    return adjoint @ factor if upper else factor @ adjoint


def cholesky_solve(B, L, upper: bool = False):
    """``X`` with ``A X = B``, where ``A = L Lᵀ`` (``Uᵀ U`` when ``upper``) is given by its factor.

    Example:
        >>> import ember
        >>> ember.cholesky_solve(ember.tensor([[2.0]]), ember.tensor([[1.0]])).tolist()
        [[2.0]]
    """
    from .decompositions import linalg_solve
    return linalg_solve(_gram(L, upper), _tensor(B))


def cholesky_inverse(L, upper: bool = False):
    """The inverse of ``A = L Lᵀ`` (``Uᵀ U`` when ``upper``) from its Cholesky factor.

    Example:
        >>> import ember
        >>> ember.cholesky_inverse(ember.tensor([[2.0]])).tolist()
        [[0.25]]
    """
    from .decompositions import inv
    return inv(_gram(L, upper))


def triangular_solve(b, A, upper: bool = True, transpose: bool = False, unitriangular: bool = False):
    """``X`` with ``op(T) X = b``, ``T`` the upper (or lower) triangle of ``A`` (unit diagonal if
    ``unitriangular``), ``op`` a transpose when asked; returns ``(solution, copy of A)``.

    Example:
        >>> import ember
        >>> x, _ = ember.triangular_solve(ember.tensor([[3.0], [2.0]]), ember.tensor([[1.0, 1.0], [0.0, 2.0]]))
        >>> x.tolist()
        [[2.0], [1.0]]
    """
    from .creation import eye
    from .decompositions import linalg_solve
    from .shape import triu, tril
    coefficients = _tensor(A)
    triangle = triu(coefficients) if upper else tril(coefficients)
    if unitriangular:
        size = coefficients.shape[-1]
        identity = eye(size, dtype=coefficients.dtype, device=coefficients.device)
        triangle = triangle * (1 - identity) + identity
    if transpose:
        triangle = triangle.transpose(-2, -1)
    return TriangularSolveResult(linalg_solve(triangle, _tensor(b)), coefficients.clone())


def lu(A, pivot: bool = True, get_infos: bool = False):
    """``torch.lu``: ``(LU, pivots)`` as ``linalg.lu_factor``; with ``get_infos`` also ``infos`` (and no
    error for a zero pivot), as ``linalg.lu_factor_ex``.

    Example:
        >>> import ember
        >>> ember.lu(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))[1].tolist()
        [2, 2]
    """
    if get_infos:
        return lu_factor_ex(A, pivot=pivot)
    return lu_factor(A, pivot=pivot)


def lu_solve(b, LU_data, LU_pivots):
    """``torch.lu_solve``: ``X`` with ``A X = b`` from ``torch.lu(A)``'s factors (note: ``b`` first).

    Example:
        >>> import ember
        >>> A = ember.tensor([[2.0, 1.0], [1.0, 3.0]])
        >>> [round(v, 4) for v in ember.lu_solve(ember.tensor([[3.0], [4.0]]), *ember.lu(A)).flatten().tolist()]
        [1.0, 1.0]
    """
    return _lu_solve(LU_data, LU_pivots, b)
