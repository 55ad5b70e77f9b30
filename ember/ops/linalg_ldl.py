"""``linalg.ldl_factor``, ``ldl_factor_ex`` and ``ldl_solve``: the Bunch-Kaufman ``A = P L D L^T P^T``
of symmetric matrices (primitives in :mod:`ember.primitives.linalg_ldl`; no gradient, as in PyTorch).

Example:
    >>> import ember
    >>> A = ember.tensor([[4.0, 2.0], [2.0, 3.0]])
    >>> LD, pivots = ember.linalg.ldl_factor(A)
    >>> ember.linalg.ldl_solve(LD, pivots, ember.tensor([[6.0], [5.0]])).flatten().tolist()
    [1.0, 1.0]
"""
from __future__ import annotations

from collections import namedtuple

import numpy

from ..errors import DTypeError, ShapeError
from ..primitives import linalg_ldl as P
from ..primitives.core import bind
from ..primitives.decompositions import LinAlgError
from ..tensor import Tensor
from ._operands import _tensor

LDLFactorResult = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
LDLFactorExResult = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _symmetric(op, A) -> Tensor:
    a = _tensor(A)
    if a._data.dtype.kind != "f":
        raise DTypeError(f"linalg.{op}: expected a real floating-point tensor, got dtype {a.dtype}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{op}: expected symmetric square matrices (*, n, n), got shape {a.shape}")
    return a


def ldl_factor_ex(A, *, hermitian: bool = False, check_errors: bool = False) -> LDLFactorExResult:
    """``(LD, pivots, info)`` of the lower triangle of symmetric ``A``; ``info`` is the 1-based index of
    the first zero block of ``D`` (0: none). ``hermitian`` is the same for real matrices.

    Example:
        >>> import ember
        >>> ember.linalg.ldl_factor_ex(ember.tensor([[0.0, 1.0], [1.0, 0.0]])).pivots.tolist()
        [-2, -2]
    """
    a = _symmetric("ldl_factor_ex", A)
    LD, pivots = bind(P.LdlFactor, (a,)), bind(P.LdlPivots, (a,))
    info = _first_zero_block(LD, pivots)
    if check_errors:
        _raise_on_singular("ldl_factor_ex", info)
    return LDLFactorExResult(LD, pivots, info)


def _first_zero_block(LD, pivots) -> Tensor:
    """LAPACK's ``info``: the 1-based index of the first zero 1x1 block of ``D`` (a 2x2 block is never
    singular: Bunch-Kaufman picks one only for a large off-diagonal entry), 0 if none (int32)."""
    from .elementwise import where
    from .rearrange import diagonal
    from .reduce import any, argmax
    zero = (diagonal(LD.detach(), 0, -2, -1) == 0) & (pivots > 0)
    if zero.shape[-1] == 0:
        return zero.sum(-1).to("int32")
    return where(any(zero, -1), argmax(zero.to("int32"), -1) + 1, 0).to("int32")


def _raise_on_singular(op, info):
    from ..backend.namespaces import NAMESPACE_OF_TYPE
    if type(info._data) not in NAMESPACE_OF_TYPE:
        return  # symbolic (ember.function, vmap): no values to check; ldl_factor_ex's info has them
    values = numpy.asarray(info.tolist()).reshape(-1)
    bad = numpy.flatnonzero(values > 0)
    if bad.size:
        raise LinAlgError(f"linalg.{op}: D[{values[bad[0]]},{values[bad[0]]}] is zero (batch element "
                          f"{int(bad[0])}): the matrix is singular")


def ldl_factor(A, *, hermitian: bool = False) -> LDLFactorResult:
    """``(LD, pivots)``: ``L`` (unit lower) below ``LD``'s diagonal, ``D``'s 1x1/2x2 blocks on it; LAPACK's
    pivots (negative pairs mark 2x2 blocks). Raises :class:`LinAlgError` for a singular ``D``.

    Example:
        >>> import ember
        >>> ember.linalg.ldl_factor(ember.tensor([[4.0, 2.0], [2.0, 3.0]])).LD.tolist()
        [[4.0, 0.0], [0.5, 2.0]]
    """
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    _raise_on_singular("ldl_factor", info)
    return LDLFactorResult(LD, pivots)


def ldl_solve(LD, pivots, B, *, hermitian: bool = False) -> Tensor:
    """``X`` with ``A X = B`` from ``ldl_factor(A)``'s output; batches broadcast.

    Example:
        >>> import ember
        >>> LD, pivots = ember.linalg.ldl_factor(ember.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> ember.linalg.ldl_solve(LD, pivots, ember.tensor([[2.0], [2.0]])).flatten().tolist()
        [1.0, 0.5]
    """
    ld, p, b = _symmetric("ldl_solve", LD), _tensor(pivots), _tensor(B)
    if b.ndim < 2:
        raise ShapeError(f"linalg.ldl_solve: B must be a matrix or a batch of them, got shape {b.shape}")
    return bind(P.LdlSolve, (ld, p, b))
