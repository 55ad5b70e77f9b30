"""``ember.linalg``: ``torch.linalg``'s names (see :mod:`ember.ops.decompositions`).

Example:
    >>> import ember
    >>> a = ember.tensor([[4.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> ember.linalg.det(a).backward()
    >>> a.grad.tolist()
    [[3.0, -1.0], [-1.0, 4.0]]
"""
from .ops.decompositions import (  # noqa: F401
    cholesky, det, eigh, eigvalsh, inv, lstsq, matrix_exp, matrix_norm, matrix_power, multi_dot, norm, pinv, qr,
    slogdet, solve, svd, svdvals, vector_norm)
from .ops.linalg import matmul  # noqa: F401
from .ops.linalg_factor import (  # noqa: F401
    cholesky_ex, inv_ex, lu, lu_factor, lu_factor_ex, lu_solve, solve_ex, solve_triangular)
from .ops.linalg_householder import householder_product  # noqa: F401
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: F401
from .ops.linalg_more import cond, eig, eigvals, matrix_rank, tensorinv, tensorsolve, vander, vecdot  # noqa: F401
from .ops.rearrange import diagonal as _diagonal
from .ops.tensor_algebra import linalg_cross as cross  # noqa: F401
from .primitives.decompositions import LinAlgError  # noqa: F401


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """The diagonals of the matrices in ``A`` (``torch.linalg.diagonal``: the last two dims by default)."""
    return _diagonal(A, offset, dim1, dim2)
