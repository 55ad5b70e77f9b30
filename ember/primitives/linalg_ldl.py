"""The Bunch-Kaufman ``L D L^T`` factorisation of symmetric matrices and its solve (LAPACK's
``sytrf``/``sytrs``, lower triangle), forward only as in PyTorch.

- ``ldl_factor``: the compact ``LD`` (..., n, n): ``L``'s unit-lower part below the diagonal, the
  1x1 and 2x2 blocks of ``D`` on it and (a 2x2 block's off-diagonal entry) just below it, zeros above;
- ``ldl_pivots``: LAPACK's int32 pivots: ``p > 0`` a 1x1 block whose row/column ``k`` was swapped
  with ``p`` (1-based); ``-p, -p`` for a 2x2 block at ``k, k+1`` whose row ``k+1`` was swapped with ``p``;
- ``ldl_solve``: ``X`` with ``A X = B`` from those factors.

NumPy has no ``sytrf``, so the unblocked algorithm (``sytf2``) runs here, one matrix at a time
(the pivot choices differ per matrix), each step vectorised over the trailing block. Its
choices match LAPACK's, so ``LD`` and the pivots agree with PyTorch's up to rounding.
"""
from __future__ import annotations

import math

import numpy

from ..backend.namespaces import to_numpy
from ..errors import DTypeError, EmberError, ShapeError
from .core import Primitive, primitive
from .decompositions import _check_matrix
from .linalg_triangular import stacked_batching

_ALPHA = (1 + math.sqrt(17)) / 8  # Bunch-Kaufman's growth bound


def _swap_symmetric(a, k, kk, kp, two_by_two):
    """Interchange rows and columns ``kk`` and ``kp`` of the trailing lower triangle (sytf2's swaps)."""
    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
    between = numpy.arange(kk + 1, kp)
    a[between, kk], a[kp, between] = a[kp, between].copy(), a[between, kk].copy()
    a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
    if two_by_two:
        a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]


def _choose_pivot(a, k, n):
    """``(kp, kstep)`` by Bunch-Kaufman's rule; kp = -1 for a zero column (a singular D)."""
    absakk = abs(a[k, k])
    colmax, imax = 0.0, k
    if k < n - 1:
        imax = k + 1 + int(numpy.argmax(numpy.abs(a[k + 1:, k])))
        colmax = abs(a[imax, k])
    if max(absakk, colmax) == 0 or math.isnan(absakk):
        return -1, 1
    if absakk >= _ALPHA * colmax:
        return k, 1
    rowmax = float(numpy.max(numpy.abs(a[imax, k:imax])))
    if imax < n - 1:
        rowmax = max(rowmax, float(numpy.max(numpy.abs(a[imax + 1:, imax]))))
    if absakk >= _ALPHA * colmax * (colmax / rowmax):
        return k, 1
    if abs(a[imax, imax]) >= _ALPHA * rowmax:
        return imax, 1
    return imax, 2


def _ldl_one(a):
    """Factor one symmetric matrix (its lower triangle) in place; return its pivots."""
    n = a.shape[0]
    pivots = numpy.zeros(n, numpy.int32)
    k = 0
    while k < n:
        kp, kstep = _choose_pivot(a, k, n)
        if kp < 0:  # a zero column: D[k, k] = 0 (ldl_factor_ex's info finds it there)
            pivots[k] = k + 1
            k += 1
            continue
        kk = k + kstep - 1
        if kp != kk:
            _swap_symmetric(a, k, kk, kp, kstep == 2)
        rest = slice(k + kstep, n)
        if kstep == 1:
            column = a[rest, k].copy()
            a[rest, rest] -= numpy.outer(column, column) / a[k, k]
            a[rest, k] = column / a[k, k]
            pivots[k] = kp + 1
        else:
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            scale = 1.0 / (d11 * d22 - 1.0) / d21
            first, second = a[rest, k].copy(), a[rest, k + 1].copy()
            w_first = scale * (d11 * first - second)
            w_second = scale * (d22 * second - first)
            a[rest, rest] -= numpy.outer(first, w_first) + numpy.outer(second, w_second)
            a[rest, k], a[rest, k + 1] = w_first, w_second
            pivots[k] = pivots[k + 1] = -(kp + 1)
        k += kstep
    return pivots


def ldl_kernel(xp, a):
    """``(LD, pivots)`` of symmetric ``a`` (..., n, n), reading its lower triangle."""
    n = a.shape[-1]
    batch = a.shape[:-2]
    host = numpy.array(to_numpy(a), dtype=a.dtype).reshape((-1, n, n))  # a copy, factored in place
    pivots = numpy.zeros((host.shape[0], n), numpy.int32)
    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for index in range(host.shape[0]):
            pivots[index] = _ldl_one(host[index])
    factors = numpy.tril(host).reshape(batch + (n, n))
    return xp.asarray(factors), xp.asarray(pivots.reshape(batch + (n,)))


def _solve_one(ld, pivots, b):
    """``sytrs``: ``A^-1 b`` from one matrix's factors (``b`` (n, k), overwritten)."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D y = b
        if pivots[k] > 0:
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= numpy.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
            continue
        kp = -pivots[k] - 1
        b[[k + 1, kp]] = b[[kp, k + 1]]
        b[k + 2:] -= numpy.outer(ld[k + 2:, k], b[k]) + numpy.outer(ld[k + 2:, k + 1], b[k + 1])
        off = ld[k + 1, k]
        first, second = ld[k, k] / off, ld[k + 1, k + 1] / off
        denominator = first * second - 1.0
        top, bottom = b[k] / off, b[k + 1] / off
        b[k], b[k + 1] = (second * top - bottom) / denominator, (first * bottom - top) / denominator
        k += 2
    k = n - 1
    while k >= 0:  # L^T x = y, undoing the interchanges
        if pivots[k] > 0:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
            continue
        b[k] -= ld[k + 1:, k] @ b[k + 1:]
        b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
        kp = -pivots[k] - 1
        b[[k, kp]] = b[[kp, k]]
        k -= 2
    return b


def ldl_solve_kernel(xp, ld, pivots, b):
    batch = numpy.broadcast_shapes(ld.shape[:-2], pivots.shape[:-1], b.shape[:-2])
    n, k = b.shape[-2:]
    lds = numpy.broadcast_to(to_numpy(ld), batch + (n, n)).reshape((-1, n, n))
    pivot_rows = numpy.broadcast_to(to_numpy(pivots), batch + (n,)).reshape((-1, n))
    out = numpy.array(numpy.broadcast_to(to_numpy(b), batch + (n, k)), dtype=b.dtype).reshape((-1, n, k))
    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for index in range(out.shape[0]):
            _solve_one(lds[index], pivot_rows[index], out[index])
    return xp.asarray(out.reshape(batch + (n, k)))


def _no_gradient(op):
    raise EmberError(f"linalg.{op}: has no gradient (PyTorch has none either); for a differentiable "
                     "symmetric solve use linalg.solve or linalg.cholesky")


@primitive
class LdlFactor(Primitive):
    """The compact ``LD`` of a Bunch-Kaufman factorisation (forward only)."""

    name = "ldl_factor"
    saves_inputs = False

    @staticmethod
    def forward(xp, a):
        return ldl_kernel(xp, a)[0]

    @staticmethod
    def abstract(a):
        _check_matrix("ldl_factor", a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("ldl_factor")


@primitive
class LdlPivots(Primitive):
    """LAPACK's int32 pivots of ``ldl_factor`` (no gradient)."""

    name = "ldl_pivots"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, a):
        return ldl_kernel(xp, a)[1]

    @staticmethod
    def abstract(a):
        _check_matrix("ldl_factor", a)
        return a.shape[:-1], numpy.dtype(numpy.int32)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


@primitive
class LdlSolve(Primitive):
    """``X`` with ``A X = b`` from ``ldl_factor``'s ``LD`` and pivots (forward only)."""

    name = "ldl_solve"
    saves_inputs = False

    @staticmethod
    def forward(xp, ld, pivots, b):
        return ldl_solve_kernel(xp, ld, pivots, b)

    @staticmethod
    def abstract(ld, pivots, b):
        _check_matrix("ldl_solve", ld)
        n = ld.shape[-1]
        if numpy.dtype(pivots.dtype).kind not in "iu" or tuple(pivots.shape[-1:]) != (n,):
            raise ShapeError(f"linalg.ldl_solve: pivots must be integers of shape (*, {n}) for LD of shape "
                             f"{ld.shape}, got {pivots.dtype} {pivots.shape}")
        if b.dtype != ld.dtype:
            raise DTypeError(f"linalg.ldl_solve: LD ({ld.dtype}) and B ({b.dtype}) must have the same dtype")
        if len(b.shape) < 2 or b.shape[-2] != n:
            raise ShapeError(f"linalg.ldl_solve: B of shape {b.shape} needs {n} rows to fit LD of shape {ld.shape}")
        from .rules import broadcast_shapes
        batch = broadcast_shapes("linalg.ldl_solve", ld.shape[:-2], pivots.shape[:-1], b.shape[:-2])
        return batch + b.shape[-2:], ld.dtype

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("ldl_solve")


for _prim, _cores in ((LdlFactor, (2,)), (LdlPivots, (2,)), (LdlSolve, (2, 1, 2))):
    _prim.batch = stacked_batching(_prim, _cores)
