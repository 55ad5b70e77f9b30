"""``torch.lobpcg``: the ``k`` largest (or smallest) eigenpairs of a symmetric positive-definite
problem ``A X = B X diag(E)``.

PyTorch iterates (LOBPCG) because its ``A`` may be sparse and huge; Ember's tensors are dense, so
the same pairs come from one dense symmetric eigendecomposition (through ``B``'s Cholesky factor
for the generalised problem): the same answer to full precision, differentiable through ``eigh``,
``cholesky`` and ``solve_triangular``. The iteration's knobs (``X`` as a start, ``iK``, ``niter``,
``tol``, ``method``, ``tracker``, the ``ortho_*`` parameters) are accepted and have nothing to tune.

Example:
    >>> import ember
    >>> E, X = ember.lobpcg(ember.diag(ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])), k=2)
    >>> E.tolist()
    [6.0, 5.0]
"""
from __future__ import annotations

from ..errors import EmberValueError, ShapeError
from ._operands import _tensor


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """``(E, X)``: the ``k`` extreme eigenvalues (descending if ``largest``, the default; else ascending)
    and their eigenvectors (``B``-orthonormal columns) of symmetric ``A`` (*, m, m), ``B`` SPD or identity.

    Example:
        >>> import ember
        >>> E, X = ember.lobpcg(ember.diag(ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])), k=1, largest=False)
        >>> E.tolist(), X.abs().flatten().tolist()
        ([1.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    """
    from .decompositions import cholesky, eigh
    from .linalg_factor import solve_triangular
    a = _tensor(A)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"lobpcg: A must be square matrices (*, m, m), got shape {a.shape}")
    if k is None:
        k = 1 if X is None else _tensor(X).shape[-1]
    wanted = k if n is None else n
    rows = a.shape[-1]
    if rows < 3 * wanted:
        raise EmberValueError(f"lobpcg: LOBPCG is not applicable when the number of A rows (={rows}) is smaller "
                              f"than 3 x the number of requested eigenpairs (={wanted})")
    if B is None:
        values, vectors = eigh(a)
    else:
        factor = cholesky(_tensor(B))  # A X = B X E  <=>  (L^-1 A L^-T) W = W E with X = L^-T W
        reduced = solve_triangular(factor, solve_triangular(factor, a, upper=False).transpose(-2, -1), upper=False)
        values, vectors = eigh(reduced)
        vectors = solve_triangular(factor.transpose(-2, -1), vectors, upper=True)
    if largest is None or largest:
        return values[..., rows - k:].flip(-1), vectors[..., :, rows - k:].flip(-1)
    return values[..., :k], vectors[..., :, :k]
