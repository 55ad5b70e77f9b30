"""``keras.ops.linalg``: the linear-algebra functions under Keras 3's sub-namespace.

Example:
    >>> from ember.keras import ops
    >>> ops.linalg.det(ops.convert_to_tensor([[2.0, 0.0], [0.0, 3.0]])).item()
    6.0
"""
from .more_ops import cholesky, det, eigh, inv, lstsq, pinv, qr, solve, solve_triangular, svd  # noqa: F401
from .numpy_ops import norm  # noqa: F401
from .linalg_more import cholesky_inverse, eig, jvp, lu_factor, matrix_rank  # noqa: F401
