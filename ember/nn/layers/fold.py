"""``Unfold`` and ``Fold`` modules over :mod:`ember.nn.functional.fold`."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class Unfold(Module):
    """Extract sliding blocks of ``(N, C, H, W)`` input as columns ``(N, C*kh*kw, L)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Unfold(kernel_size=(2, 3))(ember.ones(2, 5, 3, 4)).shape
        (2, 30, 4)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding},"
                f" stride={self.stride}")


class Fold(Module):
    """Combine columns ``(N, C*kh*kw, L)`` into an ``(N, C, *output_size)`` image, summing overlaps.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(ember.ones(1, 12, 12)).shape
        (1, 3, 4, 5)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
