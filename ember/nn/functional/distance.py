"""Distances between paired vectors: ``cosine_similarity`` and ``pairwise_distance``."""
from __future__ import annotations

from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor


def _floor_value(x: Tensor, eps: float) -> Tensor:
    """``x`` with values below ``eps`` raised to ``eps`` but an identity gradient.

    PyTorch clamps these norms in place under ``no_grad``, so the clamp changes
    the value and not the derivative; adding the detached difference does the same.
    """
    held = x.detach()
    return x + (E.clamp(held, min=eps) - held)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1/|x1| * x2/|x2|)`` along ``dim``, each norm floored at ``eps`` (inputs broadcast).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]])).tolist()
        [0.7071067690849304]
    """
    a, b = E._float(x1), E._float(x2)
    try:
        a, b = E.broadcast_tensors(a, b)
    except Exception as error:  # the broadcast error, reworded for this op
        raise ShapeError(f"cosine_similarity: x1 {a.shape} and x2 {b.shape} do not broadcast") from error
    norm_a = _floor_value(E.sqrt(E.sum(a * a, dim=dim, keepdim=True)), eps)
    norm_b = _floor_value(E.sqrt(E.sum(b * b, dim=dim, keepdim=True)), eps)
    return E.sum((a / norm_a) * (b / norm_b), dim=dim)


def _p_norm(x: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    if p == 2:
        return E.sqrt(E.sum(x * x, dim=dim, keepdim=keepdim))
    if p == float("inf"):
        return E.amax(E.abs(x), dim=dim, keepdim=keepdim)
    if p == 0:
        return E.sum(E.cast(x != 0, x.dtype), dim=dim, keepdim=keepdim)
    if p == 1:
        return E.sum(E.abs(x), dim=dim, keepdim=keepdim)
    return E.sum(E.abs(x) ** p, dim=dim, keepdim=keepdim) ** (1.0 / p)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.pairwise_distance(ember.tensor([[3.0, 0.0]]), ember.tensor([[0.0, 4.0]]), eps=0.0).tolist()
        [5.0]
    """
    a, b = E._float(x1), E._float(x2)
    if p < 0:
        raise ValueError(f"pairwise_distance: p must be non-negative, got {p}")
    difference = a - b + eps
    return _p_norm(difference, p, -1, keepdim)
