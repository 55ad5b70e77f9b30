"""Losses on pairs and triplets of embeddings: ``cosine_embedding_loss``, ``hinge_embedding_loss``
and ``triplet_margin_with_distance_loss`` (any distance function)."""
from __future__ import annotations

from ...amp.autocast_mode import float32_in_autocast
from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor
from .distance import pairwise_distance
from .loss import _reduce, _reduction

_EPSILON = 1e-12  # PyTorch's guard on the squared magnitudes


@float32_in_autocast
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> a = ember.tensor([[1.0, 0.0]])
        >>> F.cosine_embedding_loss(a, ember.tensor([[0.0, 1.0]]), ember.tensor([1]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x1, x2, y = E._float(input1), E._float(input2), E._tensor(target)
    if x1.shape != x2.shape or x1.ndim not in (1, 2) or y.ndim != x1.ndim - 1:
        raise ShapeError(f"cosine_embedding_loss: expected inputs of one shape, (N, D) or (D,), and a target "
                         f"(N,) or (), got {x1.shape}, {x2.shape} and {y.shape}")
    dim = x1.ndim - 1
    product = (x1 * x2).sum(dim)
    magnitudes = ((x1 * x1).sum(dim) + _EPSILON) * ((x2 * x2).sum(dim) + _EPSILON)
    cosine = product / E.sqrt(magnitudes)
    zeros = E.zeros_like(cosine)
    loss = E.where(y == 1, 1 - cosine, zeros) + E.where(y == -1, E.clamp(cosine - margin, min=0.0), zeros)
    return _reduce(loss, reduction)


@float32_in_autocast
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([1, -1]))
        tensor(0.1500)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    zeros = E.zeros_like(x)
    loss = E.where(y != 1, E.clamp(margin - x, min=0.0), zeros) + E.where(y != -1, x, zeros)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with any distance ``d`` (pairwise L2 by default).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> a, p, n = ember.zeros(1, 2), ember.tensor([[3.0, 4.0]]), ember.tensor([[6.0, 8.0]])
        >>> F.triplet_margin_with_distance_loss(a, p, n, margin=6.0, distance_function=lambda x, y: (x - y).norm(dim=-1))
        tensor(1.)
    """
    reduction = _reduction(None, None, reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin > 0, got {margin}")
    distance = pairwise_distance if distance_function is None else distance_function
    a, pos, neg = E._tensor(anchor), E._tensor(positive), E._tensor(negative)
    if not (a.ndim == pos.ndim == neg.ndim):
        raise ShapeError(f"triplet_margin_with_distance_loss: expected anchor, positive and negative of one rank, "
                         f"got {a.shape}, {pos.shape} and {neg.shape}")
    d_pos, d_neg = distance(a, pos), distance(a, neg)
    if swap:
        d_neg = E.minimum(d_neg, distance(pos, neg))
    return _reduce(E.clamp(margin + d_pos - d_neg, min=0.0), reduction)
