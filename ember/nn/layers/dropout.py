"""Dropout layers: active in training mode, identity in evaluation mode."""
from __future__ import annotations

from ...errors import EmberValueError
from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise EmberValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training, scaling the rest by 1/(1-p).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> drop = nn.Dropout(0.25)
        >>> drop.eval()(ember.ones(3))
        tensor([1., 1., 1.])
        >>> drop
        Dropout(p=0.25, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Zero whole channels of ``(N, C, L)`` input while training.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Dropout1d(0.5)(ember.ones(2, 3, 4)).shape
        (2, 3, 4)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` input while training.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Dropout2d(0.5).eval()(ember.ones(1, 1, 2, 2)).tolist()
        [[[[1.0, 1.0], [1.0, 1.0]]]]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training)


class Dropout3d(_DropoutNd):
    """Zero whole channels of ``(N, C, D, H, W)`` input while training.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Dropout3d(0.5)(ember.ones(1, 2, 2, 2, 2)).shape
        (1, 2, 2, 2, 2)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training)
