"""Margin-based losses on distances and scores: ``margin_ranking_loss``, ``triplet_margin_loss``."""
from __future__ import annotations

from ...amp.autocast_mode import float32_in_autocast
from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor
from .distance import pairwise_distance
from .loss import _reduce, _reduction


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 asks input1 to rank higher.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.margin_ranking_loss(ember.tensor([1.0, 0.0]), ember.tensor([0.0, 1.0]), ember.tensor([1.0, 1.0]))
        tensor(0.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    a, b, y = E._float(input1), E._float(input2), E._tensor(target)
    if not (a.ndim == b.ndim == y.ndim):
        raise ShapeError(f"margin_ranking_loss: all input tensors should have same dimension but got "
                         f"sizes: input1: {a.shape}, input2: {b.shape}, target: {y.shape}")
    return _reduce(E.clamp(-y * (a - b) + margin, min=0.0), reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the pairwise ``p``-distance.

    ``swap=True`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> a, p, n = ember.zeros(1, 2), ember.tensor([[3.0, 4.0]]), ember.tensor([[6.0, 8.0]])
        >>> F.triplet_margin_loss(a, p, n, margin=6.0, eps=0.0)
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    a, pos, neg = E._float(anchor), E._float(positive), E._float(negative)
    if not (a.ndim == pos.ndim == neg.ndim) or a.ndim not in (1, 2):
        raise ShapeError(f"triplet_margin_loss: expected anchor, positive and negative of the same "
                         f"rank, 1 or 2, but got {a.shape}, {pos.shape}, {neg.shape}")
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = E.minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduce(E.clamp(margin + d_pos - d_neg, min=0.0), reduction)
