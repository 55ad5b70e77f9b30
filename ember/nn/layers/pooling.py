"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``.

They hold no parameters; each stores PyTorch's arguments (shown by its repr)
and calls the function of the same name in :mod:`ember.nn.functional`.
"""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"]


class _MaxPoolNd(Module):
    dims = 0

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return getattr(F, f"max_pool{self.dims}d")(input, self.kernel_size, self.stride, self.padding,
                                                   self.dilation, ceil_mode=self.ceil_mode,
                                                   return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over ``(N, C, L)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MaxPool1d(2)(ember.ones(1, 3, 9)).shape
        (1, 3, 4)
    """

    dims = 1


class MaxPool2d(_MaxPoolNd):
    """Max pooling over ``(N, C, H, W)``; ``stride`` defaults to ``kernel_size``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> pool = nn.MaxPool2d(2)
        >>> pool
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> pool(ember.ones(8, 6, 28, 28)).shape
        (8, 6, 14, 14)
    """

    dims = 2


class MaxPool3d(_MaxPoolNd):
    """Max pooling over ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MaxPool3d(2)(ember.ones(1, 1, 4, 4, 4)).shape
        (1, 1, 2, 2, 2)
    """

    dims = 3


class _AvgPoolNd(Module):
    dims = 0

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        arguments = (input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                     self.count_include_pad)
        if self.dims == 1:
            return F.avg_pool1d(*arguments)
        return getattr(F, f"avg_pool{self.dims}d")(*arguments, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(value) -> tuple:
    return (value,) if isinstance(value, int) else tuple(value)


class AvgPool1d(_AvgPoolNd):
    """Average pooling over ``(N, C, L)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AvgPool1d(3, stride=2)(ember.ones(1, 2, 9)).shape
        (1, 2, 4)
    """

    dims = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        # PyTorch keeps AvgPool1d's sizes as 1-tuples (it shows in the repr)
        super().__init__(_single(kernel_size), _single(kernel_size if stride is None else stride),
                         _single(padding), ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """Average pooling over ``(N, C, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> pool = nn.AvgPool2d(3, stride=2, padding=1)
        >>> pool
        AvgPool2d(kernel_size=3, stride=2, padding=1)
        >>> pool(ember.ones(1, 4, 10, 10)).shape
        (1, 4, 5, 5)
    """

    dims = 2


class AvgPool3d(_AvgPoolNd):
    """Average pooling over ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AvgPool3d(2)(ember.ones(1, 1, 4, 4, 4)).shape
        (1, 1, 2, 2, 2)
    """

    dims = 3


class _AdaptiveAvgPoolNd(Module):
    dims = 0

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, f"adaptive_avg_pool{self.dims}d")(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed output length.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AdaptiveAvgPool1d(4)(ember.ones(2, 3, 10)).shape
        (2, 3, 4)
    """

    dims = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed ``(H_out, W_out)``, whatever the input size (``None`` keeps a size).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> pool = nn.AdaptiveAvgPool2d((1, 1))
        >>> pool
        AdaptiveAvgPool2d(output_size=(1, 1))
        >>> pool(ember.ones(2, 16, 7, 7)).shape
        (2, 16, 1, 1)
    """

    dims = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed ``(D_out, H_out, W_out)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AdaptiveAvgPool3d(1)(ember.ones(1, 2, 3, 4, 5)).shape
        (1, 2, 1, 1, 1)
    """

    dims = 3


class _AdaptiveMaxPoolNd(Module):
    dims = 0

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor):
        return getattr(F, f"adaptive_max_pool{self.dims}d")(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed length, whatever the input length.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AdaptiveMaxPool1d(3)(ember.ones(2, 4, 10)).shape
        (2, 4, 3)
    """

    dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed ``(H_out, W_out)`` (``None`` keeps a size).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AdaptiveMaxPool2d((1, 1))(ember.ones(2, 16, 7, 7)).shape
        (2, 16, 1, 1)
    """

    dims = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed ``(D_out, H_out, W_out)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.AdaptiveMaxPool3d(1)(ember.ones(1, 2, 3, 4, 5)).shape
        (1, 2, 1, 1, 1)
    """

    dims = 3
