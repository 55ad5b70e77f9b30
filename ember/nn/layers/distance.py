"""``CosineSimilarity`` and ``PairwiseDistance`` modules over :mod:`ember.nn.functional.distance`."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class CosineSimilarity(Module):
    """Cosine similarity of ``x1`` and ``x2`` along ``dim``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CosineSimilarity(dim=0)(ember.tensor([1.0, 0.0]), ember.tensor([0.0, 2.0]))
        tensor(0.)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance between rows of ``x1`` and ``x2`` (``x1 - x2 + eps``).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.PairwiseDistance(eps=0.0)(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]))
        tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
