"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``.

Arguments, defaults, parameter names and initialisation follow PyTorch, so a
state dict moves between the two unchanged. Each layer only normalises its
arguments and calls the function in :mod:`ember.nn.functional.conv`.
"""
from __future__ import annotations

import math

from ...errors import EmberValueError
from ...ops.creation import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.conv import expand, transposed_output_size
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What every convolution layer shares: argument checks, parameters, initialisation, repr."""

    dims = 0
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation,
                 output_padding, groups: int, bias: bool, padding_mode: str, dtype=None):
        super().__init__()
        name = type(self).__name__
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise EmberValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                                  f"({out_channels}) must be divisible by groups ({groups}) > 0")
        if padding_mode not in _PADDING_MODES:
            raise EmberValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, "
                                  f"got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = expand(kernel_size, self.dims, "kernel_size", name)
        self.stride = expand(stride, self.dims, "stride", name)
        self.dilation = expand(dilation, self.dims, "dilation", name)
        self.padding = padding if isinstance(padding, str) else expand(padding, self.dims, "padding", name)
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise EmberValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                                  "{'valid', 'same'}")
        if padding == "same" and any(s != 1 for s in self.stride):
            raise EmberValueError(f"{name}: padding='same' is not supported for strided convolutions")
        self.output_padding = expand(output_padding, self.dims, "output_padding", name)
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's choice: kaiming_uniform(a=√5), i.e. U(±1/√fan_in), for weight and bias alike
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = math.prod(self.weight.shape[1:])
            if fan_in:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


def _mode_padding(padding, kernel, dilation) -> list:
    """The ``F.pad`` widths (last axis first) of a non-zero ``padding_mode``."""
    if padding == "valid":
        return [0, 0] * len(kernel)
    if padding == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        pairs = [(t // 2, t - t // 2) for t in totals]
    else:
        pairs = [(p, p) for p in padding]
    return [width for pair in reversed(pairs) for width in pair]


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0, groups,
                         bias, padding_mode, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias) -> Tensor:
        """The convolution with given parameters (PyTorch's hook for weight-transforming subclasses)."""
        function = getattr(F, f"conv{self.dims}d")
        if self.padding_mode == "zeros":
            return function(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)
        widths = _mode_padding(self.padding, self.kernel_size, self.dilation)
        return function(F.pad(input, widths, self.padding_mode), weight, bias, self.stride, 0,
                        self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)``; weight ``(C_out, C_in/groups, k)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> conv = nn.Conv1d(4, 6, 3, padding="same", padding_mode="circular")
        >>> conv(ember.ones(2, 4, 10)).shape
        (2, 6, 10)
    """

    dims = 1


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)``; weight ``(C_out, C_in/groups, kH, kW)``, bias ``(C_out,)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)
        >>> conv
        Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        >>> conv(ember.ones(4, 3, 32, 32)).shape
        (4, 8, 16, 16)
        >>> [name for name, _ in conv.named_parameters()]
        ['weight', 'bias']
    """

    dims = 2


class Conv3d(_Conv):
    """3-D convolution over ``(N, C_in, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Conv3d(1, 2, 3, padding=1)(ember.ones(1, 1, 4, 4, 4)).shape
        (1, 2, 4, 4, 4)
    """

    dims = 3


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise EmberValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise EmberValueError(f"{type(self).__name__}: padding must be an int or a tuple, "
                                  f"got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        function = getattr(F, f"conv_transpose{self.dims}d")
        return function(input, self.weight, self.bias, self.stride, self.padding,
                        self._output_padding(input, output_size), self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """The output padding that yields ``output_size`` (PyTorch's ``_output_padding``)."""
        if output_size is None:
            return self.output_padding
        output_size = tuple(int(n) for n in output_size)[-self.dims:] if len(output_size) > self.dims \
            else tuple(int(n) for n in output_size)
        if len(output_size) != self.dims:
            raise EmberValueError(f"{type(self).__name__}: output_size must have {self.dims} or "
                                  f"{self.dims + 2} elements (got {len(output_size)})")
        spatial = input.shape[-self.dims:]
        extra = []
        for size, wanted, k, s, p, d in zip(spatial, output_size, self.kernel_size, self.stride,
                                            self.padding, self.dilation):
            smallest = transposed_output_size(size, k, s, p, 0, d)
            if not smallest <= wanted < smallest + s:
                raise EmberValueError(f"{type(self).__name__}: requested an output size of {output_size}, "
                                      f"but valid sizes along this axis range from {smallest} to "
                                      f"{smallest + s - 1} (for an input of shape {tuple(input.shape)})")
            extra.append(wanted - smallest)
        return tuple(extra)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution; weight ``(C_in, C_out/groups, k)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ConvTranspose1d(4, 2, 3, stride=2)(ember.ones(1, 4, 5)).shape
        (1, 2, 11)
    """

    dims = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution (a learnable upsampling); weight ``(C_in, C_out/groups, kH, kW)``.

    ``forward(input, output_size)`` picks the output padding that reaches
    ``output_size``, as in PyTorch.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> up = nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2, padding=1)
        >>> x = ember.ones(1, 8, 5, 5)
        >>> up(x).shape
        (1, 4, 9, 9)
        >>> up(x, output_size=(10, 10)).shape
        (1, 4, 10, 10)
    """

    dims = 2


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution; weight ``(C_in, C_out/groups, kD, kH, kW)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ConvTranspose3d(2, 1, 2, stride=2)(ember.ones(1, 2, 3, 3, 3)).shape
        (1, 1, 6, 6, 6)
    """

    dims = 3
