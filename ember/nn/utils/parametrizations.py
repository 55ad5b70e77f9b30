"""``weight_norm`` and ``spectral_norm`` as parametrizations (``ember.nn.utils.parametrizations``)."""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...errors import EmberValueError
from ...ops import functions as E
from ...ops.random import randn
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from .parametrize import register_parametrization
from .orthogonal import orthogonal  # noqa: F401  (its own file: three maps and their inverse)

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (kept, size 1); all of ``v`` for ``dim=-1``."""
    if dim == -1:
        return E.sqrt(E.sum(v * v))
    dims = tuple(d for d in range(v.ndim) if d != dim % v.ndim)
    return E.sqrt(E.sum(v * v, dim=dims, keepdim=True))


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor):
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (magnitude ``original0``, direction ``original1``).

    Example:
        >>> from ember import nn
        >>> layer = weight_norm(nn.Linear(4, 3))
        >>> [k for k in layer.state_dict()]
        ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
        >>> layer.parametrizations.weight.original0.shape
        (3, 1)
    """
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise EmberValueError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] "
                                  f"but got {dim})")
        if n_power_iterations <= 0:
            raise EmberValueError(f"Expected n_power_iterations to be positive, but got "
                                  f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if ndim > 1:
            with no_grad():
                matrix = self._reshape_weight_to_matrix(weight)
                h, w = matrix.shape
                u = F.normalize(randn(h, dtype=weight.dtype), dim=0, eps=self.eps)
                v = F.normalize(randn(w, dtype=weight.dtype), dim=0, eps=self.eps)
                self.register_buffer("_u", u)
                self.register_buffer("_v", v)
                self._power_method(matrix, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            order = (self.dim, *(d for d in range(weight.ndim) if d != self.dim))
            weight = E.permute(weight, order)
        return E.reshape(weight, (weight.shape[0], -1))

    def _power_method(self, matrix: Tensor, iterations: int) -> None:
        # in place on the buffers, without gradient, as PyTorch's power iteration
        with no_grad():
            for _ in range(iterations):
                u = F.normalize(E.matmul(matrix, self._v), dim=0, eps=self.eps)
                v = F.normalize(E.matmul(E.t(matrix), u), dim=0, eps=self.eps)
                self._u.copy_(u)
                self._v.copy_(v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(matrix.detach(), self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = E.sum(u * E.matmul(matrix, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration.

    ``dim`` defaults to 1 for transposed convolutions and 0 otherwise; the
    power iteration advances once per access in training mode.

    Example:
        >>> from ember import nn
        >>> layer = spectral_norm(nn.Linear(5, 4))
        >>> sorted(layer.state_dict())
        ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise EmberValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
