"""Triangular solves and LU: ``linalg.solve_triangular``, ``lu_factor(_ex)``, ``lu``, ``lu_solve``,
``lu_unpack`` and the ``_ex`` forms of ``solve``/``inv``/``cholesky`` (the legacy ``torch.lu``/
``torch.lu_solve`` spellings are in :mod:`ember.ops.legacy_linalg`).

``solve_triangular`` and the packed LU are primitives (:mod:`ember.primitives.linalg_triangular`);
everything else is composed from them: ``lu_solve`` is a row permutation and two triangular
solves, ``solve_ex``/``inv_ex`` are ``lu_factor_ex`` plus ``lu_solve`` (as in PyTorch, so a
singular matrix gives inf rather than an error, and ``info`` says which pivot was zero).
Pivots follow LAPACK: 1-based, ``pivots[i]`` the row swapped with row ``i``, in order.

Example:
    >>> import ember
    >>> a = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> LU, pivots = ember.linalg.lu_factor(a)
    >>> pivots.tolist()
    [2, 2]
    >>> ember.linalg.lu_solve(LU, pivots, ember.tensor([[5.0], [11.0]])).tolist()
    [[1.0], [2.0]]
"""
from __future__ import annotations

from collections import namedtuple

import numpy

from ..backend.namespaces import NAMESPACE_OF_TYPE
from ..errors import DTypeError, EmberValueError, ShapeError
from ..primitives import linalg_triangular as P
from ..primitives.core import bind
from ..primitives.decompositions import LinAlgError
from ..tensor import Tensor
from ._operands import _tensor

LUFactorResult = namedtuple("linalg_lu_factor", ["LU", "pivots"])
LUFactorExResult = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
LUResult = namedtuple("linalg_lu", ["P", "L", "U"])
LUUnpackResult = namedtuple("lu_unpack", ["P", "L", "U"])
SolveExResult = namedtuple("linalg_solve_ex", ["result", "info"])
InvExResult = namedtuple("linalg_inv_ex", ["inverse", "info"])
CholeskyExResult = namedtuple("linalg_cholesky_ex", ["L", "info"])


def _float_matrix(op, value, square=False) -> Tensor:
    a = _tensor(value)
    if a._data.dtype.kind != "f":
        raise DTypeError(f"linalg.{op}: expected a floating-point tensor, got dtype {a.dtype}")
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "square matrices (*, n, n)" if square else "matrices (*, m, n)"
        raise ShapeError(f"linalg.{op}: expected {kind}, got shape {a.shape}")
    return a


def _mT(x):
    return x.transpose(-2, -1)


def solve_triangular(A, B, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """``X`` with ``T X = B`` (``X T = B`` if not ``left``), ``T`` the upper (or lower) triangle of ``A``;
    ``unitriangular``: its diagonal is taken as ones (and not read).

    Example:
        >>> import ember
        >>> A = ember.tensor([[2.0, 1.0], [0.0, 4.0]])
        >>> ember.linalg.solve_triangular(A, ember.tensor([[4.0], [8.0]]), upper=True).tolist()
        [[1.0], [2.0]]
    """
    a, b = _float_matrix("solve_triangular", A, square=True), _tensor(B)
    if b.ndim < 2:
        raise ShapeError(f"linalg.solve_triangular: B must be a matrix or a batch of them (*, n, k), "
                         f"got shape {b.shape} for A {a.shape}")
    if b._data.dtype != a._data.dtype:
        raise DTypeError(f"linalg.solve_triangular: A ({a.dtype}) and B ({b.dtype}) must have the same dtype")
    if not left:  # X T = B  <=>  T^T X^T = B^T
        return _mT(bind(P.SolveTriangular, (_mT(a), _mT(b)), (not upper, bool(unitriangular))))
    return bind(P.SolveTriangular, (a, b), (bool(upper), bool(unitriangular)))


# --- LU ---------------------------------------------------------------------------------------------
def _check_pivot(op, pivot):
    if not pivot:
        raise EmberValueError(f"linalg.{op}: LU without pivoting is not implemented on the CPU (as in PyTorch); "
                              "pass pivot=True")


def lu_pivots(A) -> Tensor:
    """The 1-based int32 pivots of ``lu_factor(A)`` alone (no gradient)."""
    return bind(P.LuPivots, (_float_matrix("lu_factor", A),))


def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False) -> LUFactorExResult:
    """``(LU, pivots, info)``: the packed LU of ``A = P L U``; ``info`` (int32) is the 1-based index of
    the first zero pivot (0: none), per matrix.

    Example:
        >>> import ember
        >>> ember.linalg.lu_factor_ex(ember.tensor([[1.0, 2.0], [2.0, 4.0]])).info.item()
        2
    """
    a = _float_matrix("lu_factor_ex", A)
    _check_pivot("lu_factor_ex", pivot)
    packed = bind(P.LuFactor, (a,))
    info = _first_zero_pivot(packed)
    if check_errors:
        _raise_on_zero_pivot("lu_factor_ex", info)
    return LUFactorExResult(packed, bind(P.LuPivots, (a,)), info)


def _first_zero_pivot(packed) -> Tensor:
    """LAPACK's ``info``: the 1-based index of the first exactly zero ``U[j, j]``, 0 if none (int32)."""
    from .rearrange import diagonal
    from .reduce import any, argmax
    from .elementwise import where
    k = min(packed.shape[-2:])
    zero = diagonal(packed.detach(), 0, -2, -1)[..., :k] == 0
    if k == 0:
        return zero.sum(-1).to("int32")
    return where(any(zero, -1), argmax(zero.to("int32"), -1) + 1, 0).to("int32")


def _raise_on_zero_pivot(op, info):
    if type(info._data) not in NAMESPACE_OF_TYPE:
        return  # symbolic while ember.function traces: no values to check (lu_factor_ex's info has them)
    values = numpy.asarray(info.tolist(), dtype=numpy.int64).reshape(-1)  # (tolist: a read to the host)
    bad = numpy.flatnonzero(values > 0)
    if bad.size:
        where = int(values[bad[0]])
        batch = f" (batch element {int(bad[0])})" if info.ndim else ""
        raise LinAlgError(f"linalg.{op}: U[{where},{where}] is zero{batch}, so the matrix is singular and "
                          f"lu_solve would divide by zero; use linalg.lu or linalg.lu_factor_ex to factor it anyway")


def lu_factor(A, *, pivot: bool = True) -> LUFactorResult:
    """``(LU, pivots)`` of ``A = P L U`` (partial pivoting): ``L`` (unit diagonal) below the diagonal of
    ``LU``, ``U`` on and above; raises :class:`LinAlgError` for a zero pivot.

    Example:
        >>> import ember
        >>> LU, pivots = ember.linalg.lu_factor(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> LU.tolist(), pivots.tolist()
        ([[3.0, 4.0], [0.3333333432674408, 0.6666666269302368]], [2, 2])
    """
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    _raise_on_zero_pivot("lu_factor", info)
    return LUFactorResult(LU, pivots)


def _permutation_indices(pivots, m) -> Tensor:
    """Row order ``perm`` with ``(P^T A)[j] = A[perm[j]]``, from LAPACK's sequential swaps."""
    return bind(P.LuPermutation, (pivots,), (m,))


def _check_pivots(op, LU, pivots):
    pivots = _tensor(pivots)
    if pivots._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: pivots must be an integer tensor (int32, 1-based), got dtype {pivots.dtype}")
    k = min(LU.shape[-2:])
    if pivots.ndim < 1 or pivots.shape[-1] != k:
        raise ShapeError(f"{op}: pivots of shape {pivots.shape} do not fit LU of shape {LU.shape} "
                         f"(expected (*, {k}))")
    return pivots


def _permutation_matrix(pivots, m, like) -> Tensor:
    from .creation import arange
    perm = _permutation_indices(pivots, m)
    rows = arange(m, device=like.device)
    p_transpose = (perm.unsqueeze(-1) == rows).to(like.dtype)  # row j of P^T is e_{perm[j]}
    return _mT(p_transpose)


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True, unpack_pivots: bool = True) -> LUUnpackResult:
    """``(P, L, U)`` from ``lu_factor``'s packed output, with ``A = P L U``; parts not asked for are empty.

    Example:
        >>> import ember
        >>> P, L, U = ember.lu_unpack(*ember.linalg.lu_factor(ember.tensor([[0.0, 1.0], [1.0, 0.0]])))
        >>> P.tolist(), L.tolist(), U.tolist()
        ([[0.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    """
    from .creation import eye, zeros
    from .shape import tril, triu
    packed = _float_matrix("lu_unpack", LU_data)
    pivots = _check_pivots("lu_unpack", packed, LU_pivots)
    m, n = packed.shape[-2:]
    k = min(m, n)
    empty = zeros(0, dtype=packed.dtype, device=packed.device)
    if unpack_data:
        lower = tril(packed, -1)[..., :, :k] + eye(m, k, dtype=packed.dtype, device=packed.device)
        upper = triu(packed)[..., :k, :]
    else:
        lower = upper = empty
    permutation = _permutation_matrix(pivots, m, packed) if unpack_pivots else empty
    return LUUnpackResult(permutation, lower, upper)


def lu(A, *, pivot: bool = True) -> LUResult:
    """``(P, L, U)`` with ``A = P L U``: ``P`` a permutation, ``L`` unit lower (m, k), ``U`` upper (k, n).

    Example:
        >>> import ember
        >>> P, L, U = ember.linalg.lu(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> (P @ L @ U).tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    a = _float_matrix("lu", A)
    _check_pivot("lu", pivot)
    return LUResult(*lu_unpack(bind(P.LuFactor, (a,)), bind(P.LuPivots, (a,))))


def _permute_rows(x, perm, inverse=False) -> Tensor:
    """``x[..., perm, :]`` (``P^T x``), or its inverse (``P x``), with batches of ``perm`` broadcast."""
    from .shape import take_along_dim
    from .sorting import argsort
    if inverse:
        perm = argsort(perm, -1)
    batch = tuple(numpy.broadcast_shapes(tuple(perm.shape[:-1]), tuple(x.shape[:-2])))
    x = x.expand(*batch, *x.shape[-2:])
    index = perm.expand(*batch, perm.shape[-1]).unsqueeze(-1)
    return take_along_dim(x, index, -2)


def lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """``X`` with ``A X = B`` from ``A``'s LU factors (``A^T X = B`` if ``adjoint``; ``X A = B`` if not ``left``).

    Example:
        >>> import ember
        >>> LU, pivots = ember.linalg.lu_factor(ember.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> ember.linalg.lu_solve(LU, pivots, ember.tensor([[2.0], [2.0]])).tolist()
        [[1.0], [0.5]]
    """
    packed, b = _float_matrix("lu_solve", LU, square=True), _tensor(B)
    pivots = _check_pivots("linalg.lu_solve", packed, pivots)
    if b.ndim < 2:
        raise ShapeError(f"linalg.lu_solve: B must be a matrix or a batch of them, got shape {b.shape} "
                         f"for LU {packed.shape}")
    if b._data.dtype != packed._data.dtype:
        raise DTypeError(f"linalg.lu_solve: LU ({packed.dtype}) and B ({b.dtype}) must have the same dtype")
    if not left:  # X A = B <=> A^T X^T = B^T
        return _mT(lu_solve(packed, pivots, _mT(b), adjoint=not adjoint))
    n = packed.shape[-1]
    if b.shape[-2] != n:
        raise ShapeError(f"linalg.lu_solve: B of shape {b.shape} needs {n} rows to fit LU of shape {packed.shape}")
    perm = _permutation_indices(pivots, n)
    if not adjoint:  # A = P L U: X = U^-1 L^-1 P^T B
        y = solve_triangular(packed, _permute_rows(b, perm), upper=False, unitriangular=True)
        return solve_triangular(packed, y, upper=True)
    y = solve_triangular(_mT(packed), b, upper=False)  # A^T = U^T L^T P^T
    y = solve_triangular(_mT(packed), y, upper=True, unitriangular=True)
    return _permute_rows(y, perm, inverse=True)


# --- the _ex forms ----------------------------------------------------------------------------------
def solve_ex(A, B, *, left: bool = True, check_errors: bool = False) -> SolveExResult:
    """``(result, info)``: ``linalg.solve`` through ``lu_factor_ex`` and ``lu_solve``; a singular ``A``
    gives inf/nan and a positive ``info`` rather than an error (unless ``check_errors``).

    Example:
        >>> import ember
        >>> ember.linalg.solve_ex(ember.tensor([[2.0, 0.0], [0.0, 4.0]]), ember.tensor([2.0, 2.0])).result.tolist()
        [1.0, 0.5]
    """
    from .decompositions import _is_vector_rhs
    a, b = _float_matrix("solve_ex", A, square=True), _tensor(B)
    LU, pivots, info = lu_factor_ex(a, check_errors=check_errors)
    vector = _is_vector_rhs(a, b) if left else b.ndim == 1
    if vector:
        b = b.unsqueeze(-1) if left else b.unsqueeze(-2)
    if b.ndim < 2:
        raise ShapeError(f"linalg.solve_ex: B must be a vector or a matrix, got shape {b.shape} for A {a.shape}")
    result = lu_solve(LU, pivots, b, left=left)
    return SolveExResult(result.squeeze(-1 if left else -2) if vector else result, info)


def inv_ex(A, *, check_errors: bool = False) -> InvExResult:
    """``(inverse, info)``: the inverse through LU; a singular matrix gives inf and ``info > 0``.

    Example:
        >>> import ember
        >>> ember.linalg.inv_ex(ember.tensor([[2.0, 0.0], [0.0, 4.0]])).inverse.tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    from .creation import eye
    a = _float_matrix("inv_ex", A, square=True)
    identity = eye(a.shape[-1], dtype=a.dtype, device=a.device)
    result, info = solve_ex(a, identity.expand(*a.shape), check_errors=check_errors)
    return InvExResult(result, info)


def _cholesky_info(a) -> Tensor:
    """Per matrix: 0 if positive-definite, else the order of the first leading minor that is not."""
    from .sorting import _namespace
    xp = _namespace(a)
    data = a._data
    info = xp.zeros(data.shape[:-2], xp.int32)
    try:
        xp.linalg.cholesky(data)
        return Tensor._make(info, None, False)
    except Exception as error:
        if type(error).__name__ != "LinAlgError":
            raise
    for order in range(data.shape[-1], 0, -1):  # largest first, so the smallest failing order wins
        minor = data[..., :order, :order]
        lowest = xp.linalg.eigvalsh(minor)[..., 0]
        failed = ~(lowest > 0)
        info = xp.where(failed, order, info).astype(xp.int32)
    return Tensor._make(info, None, False)


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False) -> CholeskyExResult:
    """``(L, info)``: the Cholesky factor and, per matrix, the order of the first leading minor that is
    not positive-definite (0: none). A failed matrix's factor is NaN (PyTorch leaves it undefined).

    Example:
        >>> import ember
        >>> ember.linalg.cholesky_ex(ember.tensor([[4.0, 2.0], [2.0, 2.0]])).info.item()
        0
    """
    from .creation import eye
    from .decompositions import cholesky
    from .elementwise import where
    a = _float_matrix("cholesky_ex", A, square=True)
    info = _cholesky_info(a.detach())
    failed = info > 0
    if not bool(failed.any()):
        return CholeskyExResult(cholesky(a, upper=upper), info)
    if check_errors:
        orders = numpy.asarray(info.tolist(), dtype=numpy.int64).reshape(-1)
        first = int(orders[numpy.flatnonzero(orders > 0)[0]])
        raise LinAlgError(f"linalg.cholesky_ex: the leading minor of order {first} of the input "
                          f"(shape {a.shape}) is not positive-definite")
    mask = failed.unsqueeze(-1).unsqueeze(-1)
    identity = eye(a.shape[-1], dtype=a.dtype, device=a.device)
    factor = cholesky(where(mask, identity, a), upper=upper)
    return CholeskyExResult(where(mask, float("nan"), factor), info)
