"""``keras.ops``'s remaining linear algebra: ``cholesky_inverse``, ``eig``, ``lu_factor``,
``matrix_rank`` and the forward-mode ``jvp``.

``cholesky_inverse``, ``jvp`` and ``lu_factor`` are composites of differentiable Ember ops
(``lu_factor``'s pivots are chosen from the values, eagerly, then the elimination is recorded).
``eig`` and ``matrix_rank`` call NumPy's LAPACK routines eagerly: ``eig`` of a real matrix returns
complex64/complex128 eigenvalues and eigenvectors, as Keras on torch does (Ember has complex
tensors), but has no gradient, so it refuses an input that requires grad instead of silently
dropping the gradient; ``matrix_rank`` is an integer.

Example:
    >>> from ember.keras import ops
    >>> ops.matrix_rank(ops.eye(3)).item(), ops.lu_factor([[1.0, 2.0], [3.0, 4.0]])[1].tolist()
    (3, [1, 1])
"""
from __future__ import annotations

import numpy

import ember
from ember.autograd import functional as AF
from ember.autograd.grad_mode import state as grad_state
from ember.errors import GradError
from ember.ops import functions as F

from .numpy_ops import _float_result, _t


def cholesky_inverse(x, upper: bool = False):
    """The inverse of ``A = L Lᵀ`` (``Uᵀ U`` when ``upper``) from its triangular Cholesky factor.

    Computed as ``inv(L Lᵀ)`` with the whole factor, so the gradient is torch's (its formula
    treats the factor as a full matrix, as Keras on torch differentiates it).
    """
    return ember.cholesky_inverse(_float_result(_t(x)), upper=upper)


def _eager_array(x, op: str):
    value = _t(x)
    if grad_state.enabled and value.requires_grad:
        raise GradError(f"{op}: Ember has no gradient for {op}; call it on a detached tensor "
                        f"(x.detach()) or under ember.no_grad()")
    return numpy.asarray(value.detach())


def eig(x):
    """Eigenvalues and right eigenvectors of square matrices (complex, as Keras returns them)."""
    array = _eager_array(x, "eig")
    values, vectors = numpy.linalg.eig(array)
    complex_dtype = numpy.complex128 if array.dtype == numpy.float64 else numpy.complex64
    return ember.from_numpy(values.astype(complex_dtype)), ember.from_numpy(vectors.astype(complex_dtype))


def _lu_one(matrix):
    """Partial-pivoting LU of one square matrix in Ember ops (differentiable for the chosen pivots):
    the packed factors (L's unit diagonal implied) and the 0-based pivot row of each step (LAPACK's getrf)."""
    size = matrix.shape[0]
    pivots, rows = [], matrix
    for column in range(size):
        pivot = column + int(numpy.argmax(numpy.abs(numpy.asarray(rows[column:, column].detach()))))
        pivots.append(pivot)
        if pivot != column:
            order = list(range(size))
            order[column], order[pivot] = pivot, column
            rows = rows[ember.tensor(order)]
        head = rows[column, column]
        # a zero pivot leaves its column of L at zero, as LAPACK does (the matrix is singular)
        safe = ember.where(head == 0, ember.ones_like(head), head)
        multipliers = ember.where(head == 0, ember.zeros_like(rows[column + 1:, column]), rows[column + 1:, column] / safe)
        trailing = rows[column + 1:, column + 1:] - F.unsqueeze(multipliers, 1) * F.unsqueeze(rows[column, column + 1:], 0)
        lower_rows = F.concat([rows[column + 1:, :column], F.unsqueeze(multipliers, 1), trailing], 1)
        rows = F.concat([rows[:column + 1], lower_rows], 0)
    return rows, pivots


def lu_factor(x):
    """``(LU, pivots)``: L (unit diagonal, below) and U packed in one matrix, pivots 0-based (int32) as in
    Keras. Differentiable: the elimination is written in Ember ops for the pivots the values choose."""
    value = _float_result(_t(x))
    if value.ndim < 2 or value.shape[-1] != value.shape[-2]:
        raise ValueError(f"lu_factor: expected square matrices, got shape {tuple(value.shape)}")
    flat = F.reshape(value, (-1,) + tuple(value.shape[-2:]))
    results = [_lu_one(flat[index]) for index in range(flat.shape[0])]
    packed = F.reshape(F.stack([r[0] for r in results], 0), tuple(value.shape))
    pivots = numpy.asarray([r[1] for r in results], dtype="int32").reshape(tuple(value.shape[:-1]))
    return packed, ember.from_numpy(pivots)


def matrix_rank(x, tol=None):
    """The number of singular values above ``tol`` (default: the largest times ``max(m, n)·eps``), int32."""
    array = numpy.asarray(_float_result(_t(x)).detach())
    singular = numpy.linalg.svd(array, compute_uv=False)
    if tol is None:
        largest = singular.max(axis=-1, keepdims=True) if singular.shape[-1] else numpy.zeros(singular.shape[:-1] + (1,))
        tol = largest * max(array.shape[-2:]) * numpy.finfo(array.dtype).eps
    return ember.from_numpy(numpy.asarray((singular > tol).sum(axis=-1), dtype="int32"))


def jvp(fun, primals, tangents, has_aux: bool = False):
    """``(fun(*primals), J·tangents)`` (and ``fun``'s auxiliary output when ``has_aux``), as ``torch.func.jvp``."""
    primals = tuple(_t(p) for p in primals)
    tangents = tuple(_t(t) for t in tangents)
    auxiliary = []

    def main_output(*args):
        if not has_aux:
            return fun(*args)
        output, aux = fun(*args)
        auxiliary.append(aux)
        return output
    outputs, products = AF.jvp(main_output, primals, tangents)
    return (outputs, products, auxiliary[0]) if has_aux else (outputs, products)


__all__ = ["cholesky_inverse", "eig", "jvp", "lu_factor", "matrix_rank"]
