"""Activation-like layers: ``Hardshrink``, ``Softshrink``, ``RReLU``, ``Softmax2d`` and
``ChannelShuffle``; each calls its function in :mod:`ember.nn.functional`."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Hardshrink(0.5)(ember.tensor([-1.0, 0.2, 0.7])).tolist()
        [-1.0, 0.0, 0.699999988079071]
    """

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Softshrink(0.5)(ember.tensor([-1.0, 0.2, 1.5])).tolist()
        [-0.5, 0.0, 1.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)


class RReLU(Module):
    """Randomised leaky ReLU: a slope drawn from U(lower, upper) per element while training,
    their mean in evaluation.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.RReLU(0.1, 0.3).eval()(ember.tensor([-1.0, 2.0])).tolist()
        [-0.20000000298023224, 2.0]
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{', inplace=True' if self.inplace else ''}"


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Softmax2d()(ember.zeros(1, 2, 1, 1)).reshape(-1).tolist()
        [0.5, 0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input with 3 or 4 dimensions, got {input.ndim}")
        return F.softmax(input, -3)


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ChannelShuffle(2)(ember.arange(4.0).reshape(1, 4, 1)).reshape(-1).tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups: int):
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class AlphaDropout(Module):
    """:func:`~ember.nn.functional.alpha_dropout` while training (keeps SELU's mean and variance).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> x = ember.ones(3)
        >>> nn.AlphaDropout(0.2).eval()(x) is x
        True
    """

    function = staticmethod(F.alpha_dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return self.function(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class FeatureAlphaDropout(AlphaDropout):
    """Alpha dropout of whole channels (dim 1) while training.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> y = nn.FeatureAlphaDropout(0.5)(ember.zeros(4, 3, 5))
        >>> bool((y == y[:, :, :1]).all())
        True
    """

    function = staticmethod(F.feature_alpha_dropout)
