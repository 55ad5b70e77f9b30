"""Negative log-likelihood losses of parametric distributions: Poisson and Gaussian."""
from __future__ import annotations

import math

from ...amp.autocast_mode import float32_in_autocast
from ...errors import EmberValueError
from ...ops import functions as E
from ...tensor import Tensor
from .loss import _reduce, _reduction


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood of ``target`` given the rate ``input`` (or its log).

    ``full=True`` adds Stirling's approximation of ``log(target!)`` where ``target > 1``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.poisson_nll_loss(ember.tensor([0.0, 0.0]), ember.tensor([1.0, 2.0]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._float(target)
    loss = E.exp(x) - y * x if log_input else x - y * E.log(x + eps)
    if full:
        safe = E.where(y > 1, y, E.ones_like(y))  # keeps log finite where the term is masked out
        stirling = safe * E.log(safe) - safe + 0.5 * E.log(2 * math.pi * safe)
        loss = loss + E.where(y > 1, stirling, E.zeros_like(stirling))
    return _reduce(loss, reduction)


def _var_like(var, x: Tensor) -> Tensor:
    """``var`` checked and shaped as PyTorch's gaussian_nll_loss accepts it."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise EmberValueError("gaussian_nll_loss: var has negative entry/entries")
        return E.ones_like(x) * float(var)
    v = E._float(var)
    if bool(E.any(v < 0)):
        raise EmberValueError("gaussian_nll_loss: var has negative entry/entries")
    if v.shape == x.shape:
        return v
    if x.shape[:-1] == v.shape:  # one variance per sample, shared by its features
        return E.unsqueeze(v, -1)
    mismatched = [size for size, other in zip(x.shape, v.shape) if size != other]
    if x.ndim == v.ndim and mismatched and sum(v.shape[i] for i in range(v.ndim)
                                               if x.shape[i] != v.shape[i]) == 1:
        return v  # heteroscedastic: one dimension of size 1 broadcasts
    raise EmberValueError(f"gaussian_nll_loss: var is of incorrect size {v.shape} for input {x.shape}")


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """``0.5 * (log(var) + (input - target)**2 / var)``, ``var`` floored at ``eps``.

    As in PyTorch the floor changes the value only: the gradient with respect
    to ``var`` is taken as if it were not clamped.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.gaussian_nll_loss(ember.tensor([1.0]), ember.tensor([3.0]), ember.tensor([1.0]))
        tensor(2.)
    """
    if reduction not in ("mean", "sum", "none"):
        raise EmberValueError(f"gaussian_nll_loss: {reduction} is not valid")
    x, y = E._float(input), E._float(target)
    v = _var_like(var, x)
    held = v.detach()
    v = v + (E.clamp(held, min=eps) - held)
    loss = 0.5 * (E.log(v) + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
