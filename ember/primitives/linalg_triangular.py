"""Triangular solves and the LU factorisation with partial pivoting.

- ``solve_triangular``: ``X`` with ``T X = B`` for the upper or lower triangle ``T`` of ``a``
  (unit diagonal when ``unitriangular``), batches broadcast;
- ``lu_factor``: the packed LU of ``P^T a = L U`` (``L`` unit lower below the diagonal, ``U``
  on and above it), for square and rectangular ``a``;
- ``lu_pivots``: its row interchanges, 1-based as LAPACK's ``getrf`` reports them, and
  ``lu_permutation``: the row order those interchanges make (no gradients).

NumPy has neither a triangular solve nor an LU, so both run here on the backend namespace.
The LU is right-looking elimination (pivot: the first largest magnitude, as LAPACK's ``idamax``),
vectorised over the batch and blocked (see :func:`lu_kernel`), so its pivots agree with
PyTorch's except for exact ties. The triangular solve is block back-substitution handing each
diagonal block to ``xp.linalg.solve`` (whose partial pivoting never swaps a row of an
upper-triangular matrix, so it is plain back-substitution); a lower triangle is turned upper by
reversing rows and columns. A zero on the diagonal gives inf/nan, as LAPACK's ``trsm`` does,
not an error.
"""
from __future__ import annotations

import numpy

from .core import Primitive, bind, primitive
from .decompositions import _check_matrix, _mT
from ..errors import DTypeError, EmberValueError, ShapeError


# --- solve_triangular ----------------------------------------------------------------------------
def _triangle_array(xp, a, upper, unitriangular):
    n = a.shape[-1]
    keep = xp.tri(n, n, 0, dtype=bool)
    t = xp.where(keep.T if upper else keep, a, 0)
    if unitriangular:
        t = xp.where(xp.eye(n, dtype=bool), 1, t).astype(a.dtype, copy=False)
    return t


def _back_substitution(xp, t, b):
    """``t^-1 b`` for upper-triangular ``t`` row by row (used when the diagonal has a zero)."""
    n = t.shape[-1]
    x = xp.zeros(b.shape, b.dtype)
    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(n - 1, -1, -1):
            rest = (t[..., i:i + 1, i + 1:] @ x[..., i + 1:, :])[..., 0, :]
            x[..., i, :] = (b[..., i, :] - rest) / t[..., i:i + 1, i]
    return x


_BLOCK = 64  # diagonal blocks solved densely by the block back-substitution


def _solve_upper(xp, t, b):
    if 0 in t.shape or 0 in b.shape:
        return xp.zeros(b.shape, t.dtype)
    diagonal = xp.diagonal(t, axis1=-2, axis2=-1)
    if bool((diagonal == 0).any()):
        return _back_substitution(xp, t, b)
    n = t.shape[-1]
    if n <= _BLOCK:
        return xp.linalg.solve(t, b)
    # block back-substitution: a dense solve costs n^3 flops, the triangle only needs n^2 k
    x = xp.empty(b.shape, t.dtype)
    for stop in range(n, 0, -_BLOCK):
        start = max(stop - _BLOCK, 0)
        rest = b[..., start:stop, :]
        if stop < n:
            rest = rest - t[..., start:stop, stop:] @ x[..., stop:, :]
        x[..., start:stop, :] = xp.linalg.solve(t[..., start:stop, start:stop], rest)
    return x


@primitive
class SolveTriangular(Primitive):
    """``X`` with ``T @ X = b``, ``T`` the ``upper`` (else lower) triangle of square ``a``."""

    name = "solve_triangular"
    saves_output = True

    @staticmethod
    def forward(xp, a, b, upper, unitriangular):
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        t = xp.broadcast_to(_triangle_array(xp, a, upper, unitriangular), batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        if not upper:  # J L J is upper triangular (J reverses the order)
            return _solve_upper(xp, t[..., ::-1, ::-1], b[..., ::-1, :])[..., ::-1, :].copy()
        return _solve_upper(xp, t, b)

    @staticmethod
    def abstract(a, b, upper, unitriangular):
        _check_matrix("solve_triangular", a)
        if b.dtype != a.dtype:
            raise DTypeError(f"linalg.solve_triangular: A ({a.dtype}) and B ({b.dtype}) must have the same dtype")
        if len(b.shape) < 2 or b.shape[-2] != a.shape[-1]:
            raise ShapeError(f"linalg.solve_triangular: A of shape {a.shape} and B of shape {b.shape} do not fit "
                             f"(B needs {a.shape[-1]} rows)")
        from .rules import broadcast_shapes
        batch = broadcast_shapes("linalg.solve_triangular", a.shape[:-2], b.shape[:-2])
        return batch + b.shape[-2:], a.dtype

    @staticmethod
    def vjp(ctx, g):
        a, _ = ctx.inputs
        upper, unitriangular = ctx.attrs
        grad_b = LF.solve_triangular(_mT(a), g, upper=not upper, unitriangular=unitriangular)
        if not ctx.wants(0):
            return None, grad_b
        full = -(grad_b @ _mT(ctx.output))
        offset = 1 if unitriangular else 0  # a unit diagonal is not read from a
        grad_a = F.triu(full, offset) if upper else F.tril(full, -offset)
        return grad_a, grad_b


# --- LU with partial pivoting ---------------------------------------------------------------------
_PANEL = 32  # columns factored one by one before a matrix-product update of the rest


def lu_kernel(xp, a):
    """``(packed LU, 1-based int32 pivots)`` of ``a`` (..., m, n), vectorised over the batch.

    Blocked right-looking elimination: a panel of ``_PANEL`` columns is factored column by column
    (pivot search, a full-row swap, a rank-1 update inside the panel), then the panel's rows of
    the remaining columns are solved with its unit-lower block and the trailing matrix gets one
    matrix product, so most of the work runs in BLAS. Same pivots as the unblocked algorithm.
    """
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((-1, m, n)).astype(a.dtype, copy=True)
    count = lu.shape[0]
    pivots = xp.zeros((count, k), xp.int32)
    rows = xp.arange(count)
    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for start in range(0, k, _PANEL):
            end = min(start + _PANEL, k)
            for j in range(start, end):
                p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
                pivots[:, j] = p + 1
                pivot_row = lu[rows, p, :].copy()
                lu[rows, p, :] = lu[:, j, :]
                lu[:, j, :] = pivot_row
                pivot = lu[:, j, j]
                lu[:, j + 1:, j] /= xp.where(pivot == 0, 1, pivot)[:, None]  # a zero pivot: zeros below
                lu[:, j + 1:, j + 1:end] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:end]
            if end < n:
                unit_lower = _triangle_array(xp, lu[:, start:end, start:end], False, True)
                lu[:, start:end, end:] = _solve_upper(xp, unit_lower[:, ::-1, ::-1],
                                                      lu[:, start:end, end:][:, ::-1, :])[:, ::-1, :]
                if end < m:  # (contiguous operands: NumPy's matmul of strided stacks skips BLAS)
                    left = xp.ascontiguousarray(lu[:, end:, start:end])
                    lu[:, end:, end:] -= left @ xp.ascontiguousarray(lu[:, start:end, end:])
    return lu.reshape(batch + (m, n)), pivots.reshape(batch + (k,))


def _check_lu_input(a):
    _check_matrix("lu_factor", a, square=False)


@primitive
class LuFactor(Primitive):
    """The packed LU factors (..., m, n) of ``P^T a = L U`` (partial pivoting)."""

    name = "lu_factor"
    saves_output = True

    @staticmethod
    def forward(xp, a):
        return lu_kernel(xp, a)[0]

    @staticmethod
    def abstract(a):
        _check_lu_input(a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_lu_vjp(ctx.inputs[0], ctx.output, g),)


@primitive
class LuPivots(Primitive):
    """The 1-based row interchanges (..., min(m, n)) of ``lu_factor`` (int32, no gradient)."""

    name = "lu_pivots"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, a):
        return lu_kernel(xp, a)[1]

    @staticmethod
    def abstract(a):
        _check_lu_input(a)
        return a.shape[:-2] + (min(a.shape[-2:]),), numpy.dtype(numpy.int32)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


def permutation_kernel(xp, pivots, size):
    """Row order ``perm`` (int64) with ``(P^T A)[..., j, :] = A[..., perm[j], :]``, replaying LAPACK's
    sequential 1-based swaps ``pivots`` (..., k) on ``size`` rows."""
    swaps = pivots.astype(xp.int64) - 1
    count = swaps.shape[-1]
    flat_swaps = swaps.reshape((-1, count))
    perm = xp.broadcast_to(xp.arange(size), (flat_swaps.shape[0], size)).copy()
    rows = xp.arange(perm.shape[0])
    for i in range(count):
        target = flat_swaps[:, i]
        moved = perm[rows, target].copy()
        perm[rows, target] = perm[:, i]
        perm[:, i] = moved
    return perm.reshape(swaps.shape[:-1] + (size,))


@primitive
class LuPermutation(Primitive):
    """The row order (..., m) of LU pivots (..., k): ``P^T A = A[perm]`` (int64, no gradient)."""

    name = "lu_permutation"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, pivots, size):
        swaps = pivots.astype(xp.int64)
        if swaps.size and (int(swaps.min()) < 1 or int(swaps.max()) > size):
            raise EmberValueError(f"lu_unpack: pivots must lie in 1..{size} (LAPACK's 1-based convention), "
                             f"got values from {int(swaps.min())} to {int(swaps.max())}")
        return permutation_kernel(xp, pivots, size)

    @staticmethod
    def abstract(pivots, size):
        if numpy.dtype(pivots.dtype).kind not in "iu" or len(pivots.shape) < 1:
            raise DTypeError(f"lu_unpack: pivots must be an integer tensor (*, k), got {pivots.dtype} "
                             f"of shape {pivots.shape}")
        return pivots.shape[:-1] + (size,), numpy.dtype(numpy.int64)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


def _lu_vjp(a, packed, g):
    """The gradient of ``P^T a = L U`` through the packed factors, square or rectangular.

    Square: ``P L^-T [tril(L^T gL, -1) + triu(gU U^T)] U^-T``. A wide ``a`` (m < n) has
    ``U = [U1 U2]`` with ``U2 = L^-1 A2``: its gradient goes to ``A2`` as ``L^-T gU2`` and
    moves ``gU2 U2^T`` into the ``L`` term. A tall one (m > n) mirrors it with ``L2 = A2 U^-1``.
    """
    m, n = a.shape[-2:]
    k = min(m, n)
    permutation, lower, upper = LF.lu_unpack(packed, LF.lu_pivots(a.detach()))
    grad_lower = F.tril(g, -1)[..., :, :k]
    grad_upper = F.triu(g)[..., :k, :]
    if m == n:
        core = F.tril(_mT(lower) @ grad_lower, -1) + F.triu(grad_upper @ _mT(upper))
        return permutation @ _unwhiten(lower, upper, core)
    if m < n:
        u1, u2, gu1, gu2 = upper[..., :, :m], upper[..., :, m:], grad_upper[..., :, :m], grad_upper[..., :, m:]
        core = F.tril(_mT(lower) @ grad_lower - gu2 @ _mT(u2), -1) + F.triu(gu1 @ _mT(u1))
        left = _unwhiten(lower, u1, core)
        right = LF.solve_triangular(_mT(lower), gu2, upper=True, unitriangular=True)
        return permutation @ F.cat([left, right], -1)
    l1, l2, gl1, gl2 = lower[..., :n, :], lower[..., n:, :], grad_lower[..., :n, :], grad_lower[..., n:, :]
    core = F.tril(_mT(l1) @ gl1, -1) + F.triu(grad_upper @ _mT(upper) - _mT(l2) @ gl2)
    top = _unwhiten(l1, upper, core)
    bottom = LF.solve_triangular(_mT(upper), gl2, upper=False, left=False)  # gL2 U^-T
    return permutation @ F.cat([top, bottom], -2)


def _unwhiten(lower, upper, core):
    """``L^-T core U^-T`` for unit-lower ``L`` and upper ``U`` (square)."""
    right = LF.solve_triangular(_mT(upper), core, upper=False, left=False)   # core U^-T
    return LF.solve_triangular(_mT(lower), right, upper=True, unitriangular=True)


def stacked_batching(prim, cores):
    """vmap's rule for a primitive on stacks of matrices: operand ``i`` ends in ``cores[i]`` core axes
    (2 for a matrix, 1 for pivots) and its leading axes broadcast, so each batched operand gets 1s
    after its batch axis until the leading ranks agree; the backend's broadcasting does the rest."""
    def rule(inputs, batched, attrs, size):
        from .batching import _lift  # on first use: batching needs the whole table
        leading = max(value.ndim - int(is_batched) - core for value, is_batched, core in zip(inputs, batched, cores))
        lifted = [_lift(value, leading + core) if is_batched else value
                  for value, is_batched, core in zip(inputs, batched, cores)]
        return bind(prim, lifted, attrs)
    return rule


for _prim, _cores in ((SolveTriangular, (2, 2)), (LuFactor, (2,)), (LuPivots, (2,)), (LuPermutation, (1,))):
    _prim.batch = stacked_batching(_prim, _cores)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
from ..ops import linalg_factor as LF  # noqa: E402
