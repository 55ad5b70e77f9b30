"""Padding layers (``ReflectionPad2d``, ``ZeroPad2d``, ``ConstantPad1d`` ...): modules over ``F.pad``.

One class per mode holds the shared logic; the 1d/2d/3d names only fix how many trailing
dimensions an int ``padding`` expands to, as in PyTorch.
"""
from __future__ import annotations

from ...errors import EmberValueError
from ...tensor import Tensor
from .. import functional as F
from ..module import Module


def _expand(name: str, padding, dims: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    padding = tuple(padding)
    if len(padding) != 2 * dims or not all(isinstance(p, int) for p in padding):
        raise EmberValueError(f"{name}: expected padding to be an int or a tuple of {2 * dims} "
                              f"ints, got {padding}")
    return padding


class _Pad(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _expand(type(self).__name__, padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last dimension with ``value``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ConstantPad1d((1, 0), 7.0)(ember.ones(1, 2))
        tensor([[7., 1., 1.]])
    """
    dims = 1


class ConstantPad2d(_ConstantPad):
    """Pad the last two dimensions with ``value``: ``padding=(left, right, top, bottom)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ConstantPad2d(1, 0.5)(ember.ones(1, 2, 2)).shape
        (1, 4, 4)
    """
    dims = 2


class ConstantPad3d(_ConstantPad):
    """Pad the last three dimensions with ``value``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ConstantPad3d(1, 0.0)(ember.ones(1, 1, 1, 1)).shape
        (1, 3, 3, 3)
    """
    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ZeroPad1d(1)(ember.ones(1, 2))
        tensor([[0., 1., 1., 0.]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros: ``padding=(left, right, top, bottom)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ZeroPad2d((1, 0, 0, 1))(ember.ones(1, 1, 1)).shape
        (1, 2, 2)
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ZeroPad3d(1)(ember.ones(1, 1, 1, 1)).shape
        (1, 3, 3, 3)
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_Pad):
    """Pad the last dimension with its reflection (the edge not repeated).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReflectionPad1d(2)(ember.tensor([[1.0, 2.0, 3.0]]))
        tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """
    mode, dims = "reflect", 1


class ReflectionPad2d(_Pad):
    """Pad the last two dimensions with their reflection: ``padding=(left, right, top, bottom)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReflectionPad2d(1)(ember.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """
    mode, dims = "reflect", 2


class ReflectionPad3d(_Pad):
    """Pad the last three dimensions with their reflection.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReflectionPad3d(1)(ember.ones(1, 2, 2, 2)).shape
        (1, 4, 4, 4)
    """
    mode, dims = "reflect", 3


class ReplicationPad1d(_Pad):
    """Pad the last dimension by repeating its edge values.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReplicationPad1d((2, 1))(ember.tensor([[1.0, 2.0]]))
        tensor([[1., 1., 1., 2., 2.]])
    """
    mode, dims = "replicate", 1


class ReplicationPad2d(_Pad):
    """Pad the last two dimensions by repeating their edge values.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReplicationPad2d(1)(ember.ones(1, 2, 2)).shape
        (1, 4, 4)
    """
    mode, dims = "replicate", 2


class ReplicationPad3d(_Pad):
    """Pad the last three dimensions by repeating their edge values.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReplicationPad3d(1)(ember.ones(1, 1, 1, 1)).shape
        (1, 3, 3, 3)
    """
    mode, dims = "replicate", 3


class CircularPad1d(_Pad):
    """Pad the last dimension by wrapping around.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CircularPad1d(1)(ember.tensor([[1.0, 2.0, 3.0]]))
        tensor([[3., 1., 2., 3., 1.]])
    """
    mode, dims = "circular", 1


class CircularPad2d(_Pad):
    """Pad the last two dimensions by wrapping around.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CircularPad2d(1)(ember.ones(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """
    mode, dims = "circular", 2


class CircularPad3d(_Pad):
    """Pad the last three dimensions by wrapping around.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CircularPad3d(1)(ember.ones(1, 1, 1, 1, 1)).shape
        (1, 1, 3, 3, 3)
    """
    mode, dims = "circular", 3
