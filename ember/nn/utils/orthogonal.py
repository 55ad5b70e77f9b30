"""``parametrizations.orthogonal``: a weight kept orthogonal (``QᴴQ = I`` or ``QQᴴ = I``).

The unconstrained ``original`` is mapped to an orthogonal matrix by one of three maps, as in
PyTorch: ``matrix_exp`` (the exponential of the skew-symmetric matrix built from its lower
triangle), ``cayley`` (``(I - A/2)⁻¹(I + A/2)`` of that matrix) or ``householder`` (a product
of reflections from its strictly lower triangle). With ``use_trivialization`` (the default)
the map's output multiplies a ``base`` buffer, the orthogonal matrix assigned last, and the
assignment stores ``-I`` (whose image is ``I``) in ``original``.
"""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...errors import EmberValueError
from ...ops import functions as E
from ...ops.random import randn
from ...tensor import Tensor
from ..module import Module
from .parametrize import register_parametrization

_MAPS = ("matrix_exp", "cayley", "householder")


def _linalg():
    from ... import linalg  # imported late: ember.nn loads before ember.linalg
    return linalg


def _eye(n, like):
    return E.eye(n, dtype=like.dtype, device=like.device)


def _is_orthogonal(Q) -> bool:
    n, k = Q.shape[-2], Q.shape[-1]
    from ...ops.dtype_info import finfo
    eps = 10.0 * n * float(finfo(Q.dtype).eps)
    return bool(E.allclose(Q.mH @ Q, _eye(k, Q), atol=eps))


def _make_orthogonal(A):
    """The Q of ``A = QR`` (``A`` tall) with ``R``'s diagonal made real and non-negative."""
    from ...ops.linalg_householder import geqrf
    X, tau = geqrf(A)
    Q = _linalg().householder_product(X, tau)
    return Q * E.unsqueeze(E.sgn(E.diagonal(X, dim1=-2, dim2=-1)), -2)


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map: str, *, use_trivialization: bool = True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise EmberValueError("The householder parametrization does not support complex tensors.")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X, (n, k) = X.mT, (k, n)
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:  # pad to square with zero columns
                X = E.cat([X, E.expand(E.zeros(n, n - k, dtype=X.dtype, device=X.device),
                                       tuple(X.shape[:-2]) + (n, n - k))], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = E.matrix_exp(A)
            else:
                Id = _eye(n, A)
                Q = _linalg().solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _linalg().householder_product(A, tau)
            # the diagonal's integer part flips columns (PyTorch's convention)
            Q = Q * E.unsqueeze(E.cast(E.trunc(E.diagonal(X, dim1=-2, dim2=-1)), X.dtype), -2)
        if "base" in self._buffers:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise EmberValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                  f"Got a tensor of shape {tuple(Q.shape)}.")
        Q_init = Q
        n, k = Q.shape[-2], Q.shape[-1]
        transpose = n < k
        if transpose:
            Q, (n, k) = Q.mT, (k, n)
        if "base" not in self._buffers:
            if self.orthogonal_map in ("matrix_exp", "cayley"):
                raise NotImplementedError("It is not possible to assign to the matrix exponential or "
                                          "the Cayley parametrizations when use_trivialization=False.")
            from ...ops.linalg_householder import geqrf
            A, tau = geqrf(Q)
            # diagonal: ±1 from its sign, flipped where the reflection is trivial (tau == 0)
            signs = E.sign(E.diagonal(A, dim1=-2, dim2=-1))
            signs = E.where(tau == 0.0, -signs, signs)
            identity = _rect_eye(A)
            A = A * (1 - identity) + identity * E.unsqueeze(signs, -2)
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:  # complete the columns at random, then orthogonalize
            extra = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(E.cat([Q, extra], dim=-1))
        self.base = Q
        return -_rect_eye(Q_init)  # its image is the identity, so the weight is base


def _rect_eye(like):
    n, k = like.shape[-2], like.shape[-1]
    return E.expand(E.eye(n, k, dtype=like.dtype, device=like.device), tuple(like.shape))


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Keep ``module.<name>`` (a matrix or batch of matrices) orthogonal through a
    parametrization (``torch.nn.utils.parametrizations.orthogonal``).

    ``orthogonal_map`` defaults to ``matrix_exp`` for square (or complex) weights and to
    ``householder`` otherwise.

    Example:
        >>> import ember
        >>> from ember.nn.utils import parametrizations
        >>> layer = parametrizations.orthogonal(ember.nn.Linear(4, 3))
        >>> W = layer.weight
        >>> bool(ember.allclose(W @ W.T, ember.eye(3), atol=1e-5))
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise EmberValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise EmberValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} "
                              "dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in _MAPS:
        raise EmberValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                              f'"householder". Got: {orthogonal_map}')
    parametrization = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    register_parametrization(module, name, parametrization, unsafe=True)
    return module
